// Child-process servers for the proxy benchmark. Each prints its port on stdout and serves until
// SIGTERM. Usage: node servers.js upstream SIZE fixed|varying | passthrough TARGET |
// naive-recorder TARGET DB | talkback TARGET DIR | mockttp TARGET
import http from 'node:http';

const [kind, arg, extra] = process.argv.slice(2);

/** A JSON body of about `size` bytes: a page of items, as a list endpoint answers. */
function bodyOfSize(size) {
  const items = [];
  let text = '';
  for (let i = 0; text.length < size; i++) {
    items.push({ sku: `SKU-${100000 + i}`, name: `widget number ${i}`, price: 1000 + i, currency: 'eur', in_stock: i % 3 !== 0 });
    text = JSON.stringify({ object: 'list', items });
  }
  return { object: 'list', items };
}

function listen(server, beforeExit = () => {}) {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.on('SIGTERM', () => {
    server.closeAllConnections?.();
    server.close(() => {
      beforeExit();
      process.exit(0);
    });
  });
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

/** http-proxy with a keep-alive agent and hop-by-hop headers stripped: what both proxies share. */
async function plainProxy(target) {
  const { default: httpProxy } = await import('http-proxy');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const proxy = httpProxy.createProxyServer({ target, agent, changeOrigin: true });
  proxy.on('error', (_error, _req, res) => {
    if (res.writeHead && !res.headersSent) res.writeHead(502);
    res.end?.();
  });
  proxy.on('proxyRes', (proxyRes) => {
    for (const name of HOP_BY_HOP) delete proxyRes.headers[name];
  });
  const server = http.createServer((req, res) => {
    for (const name of HOP_BY_HOP) delete req.headers[name];
    proxy.web(req, res);
  });
  return { proxy, server };
}

async function main() {
  if (kind === 'upstream') {
    const template = bodyOfSize(Number(arg));
    const fixed = JSON.stringify(template);
    const varying = extra === 'varying';
    let n = 0;
    // `fixed`: the same JSON every time (a catalogue page). `varying`: each answer carries an id
    // and a time of its own, as most API answers do, so that no two bodies are identical.
    listen(
      http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          n += 1;
          const body = varying ? JSON.stringify({ id: `req_${n}`, created_at: new Date().toISOString(), ...template }) : fixed;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      }),
    );
  } else if (kind === 'passthrough') {
    // The baseline: http-proxy with a keep-alive agent and hop-by-hop headers stripped, no recording.
    const { server } = await plainProxy(arg);
    listen(server);
  } else if (kind === 'naive-recorder') {
    // The reference recorder: the passthrough plus every exchange written from the event loop
    // into SQLite as it comes (WAL, synchronous=NORMAL, one transaction per 500 rows or per
    // 100 ms). No redaction, no shapes: what recording costs when it does nothing else.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(extra);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS exchanges (id INTEGER PRIMARY KEY, method TEXT, url TEXT, status INTEGER, request_headers TEXT, response_headers TEXT, body BLOB)',
    );
    const insert = db.prepare('INSERT INTO exchanges (method, url, status, request_headers, response_headers, body) VALUES (?, ?, ?, ?, ?, ?)');
    let pending = [];
    const writeAll = db.transaction((rows) => {
      for (const row of rows) insert.run(row);
    });
    const flush = () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      writeAll(rows);
    };
    const { proxy, server } = await plainProxy(arg);
    proxy.on('proxyRes', (proxyRes, req) => {
      const chunks = [];
      proxyRes.on('data', (chunk) => chunks.push(chunk));
      proxyRes.on('end', () => {
        pending.push([req.method, req.url, proxyRes.statusCode, JSON.stringify(req.headers), JSON.stringify(proxyRes.headers), Buffer.concat(chunks)]);
        if (pending.length >= 500) flush();
      });
    });
    setInterval(flush, 100);
    listen(server, () => {
      flush();
      db.close();
    });
  } else if (kind === 'talkback') {
    const { default: talkback } = await import('talkback');
    const server = talkback({ host: arg, record: talkback.Options.RecordMode.NEW, port: 0, path: extra, silent: true, summary: false });
    const started = await server.start();
    const address = (started ?? server.server).address();
    console.log(address.port);
    process.on('SIGTERM', () => {
      server.close();
      process.exit(0);
    });
  } else if (kind === 'mockttp') {
    // mockttp has no option for its interface and listens on all of them: keep it on loopback.
    const net = await import('node:net');
    const listenOnAll = net.Server.prototype.listen;
    net.Server.prototype.listen = function (port, ...rest) {
      return typeof port === 'number' && (rest.length === 0 || typeof rest[0] === 'function') ? listenOnAll.call(this, port, '127.0.0.1', ...rest) : listenOnAll.call(this, port, ...rest);
    };
    const { getLocal } = await import('mockttp');
    const server = getLocal();
    await server.start(0);
    await server.forAnyRequest().thenForwardTo(arg);
    console.log(server.port);
    process.on('SIGTERM', async () => {
      await server.stop();
      process.exit(0);
    });
  } else {
    throw new Error(`unknown server kind ${kind}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
