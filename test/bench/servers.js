// Child-process servers for the proxy benchmark. Each prints its port on stdout and serves until
// SIGTERM. Usage: node servers.js upstream SIZE fixed|varying | passthrough TARGET |
// talkback TARGET DIR | mockttp TARGET
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

function listen(server) {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.on('SIGTERM', () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });
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
    const { default: httpProxy } = await import('http-proxy');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
    const proxy = httpProxy.createProxyServer({ target: arg, agent, changeOrigin: true });
    const hop = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];
    proxy.on('error', (_error, _req, res) => {
      if (res.writeHead && !res.headersSent) res.writeHead(502);
      res.end?.();
    });
    proxy.on('proxyRes', (proxyRes) => {
      for (const name of hop) delete proxyRes.headers[name];
    });
    listen(
      http.createServer((req, res) => {
        for (const name of hop) delete req.headers[name];
        proxy.web(req, res);
      }),
    );
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
