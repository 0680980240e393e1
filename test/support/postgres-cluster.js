// A throwaway PostgreSQL cluster for the tests and the bench: initdb into a temp dir, pg_ctl start
// on a free loopback port, stop and delete afterwards. Plain JavaScript so that the bench (run by
// node without a build of the tests) uses the same helper as the suite.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Directory of initdb and pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
function binDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (or set PG_BIN to the directory of initdb and pg_ctl)');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster as the `postgres` user when run as root (initdb refuses root), else as the
 * current user. Its superuser `mockdrift` has a password (scram-sha-256 on TCP), so that tests
 * can show wrong credentials being refused.
 */
export async function startPostgresCluster() {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'mockdrift-pg-'));
  const asRoot = process.getuid?.() === 0;
  let owner = null;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    owner = { uid, gid };
    chownSync(dir, uid, gid);
  }
  const run = (command, args) => {
    const file = join(bin, command);
    const options = { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 };
    if (asRoot) return execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], options);
    return execFileSync(file, args, options);
  };
  const user = 'mockdrift';
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  try {
    run('initdb', ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    rmSync(pwfile, { force: true });
    const port = await freePort();
    const settings = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=100'];
    run('pg_ctl', ['-D', data, '-o', settings.join(' '), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    const stop = () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return {
      host: '127.0.0.1',
      port,
      user,
      password,
      /** URL of database `name` with the password in it. */
      url: (name = 'postgres') => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}?sslmode=disable`,
      stop,
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`could not start a PostgreSQL cluster with ${bin} as ${asRoot ? 'postgres' : userInfo().username}: ${error.message} ${detail}`);
  }
}
