import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import httpProxy from 'http-proxy';
import type { CapturedExchange, ExchangeError, ExchangeErrorCode } from '../model/exchange.js';
import { describeError, MockdriftError } from '../model/errors.js';
import { stripHopByHop, type HeaderMap } from '../model/headers.js';
import { BodyCollector } from './body-collector.js';

/** Where captured exchanges go; `CaptureWriter` is the one that stores them. */
export interface ExchangeSink {
  write(exchange: CapturedExchange): void;
  /** True while the sink is too far behind to take more; new requests then wait for {@link ready}. */
  readonly overloaded?: boolean;
  ready?(): Promise<void>;
}

/** How a recording proxy runs. */
export interface RecordingProxyOptions {
  /** The sandbox to forward to, e.g. `https://sandbox.example.com`. Required. */
  readonly target: string;
  /** Where captured exchanges go. Required. */
  readonly sink: ExchangeSink;
  /** Name of the sandbox's service in the store. Default: `default`. */
  readonly service?: string;
  /** Interface to listen on. Default: `127.0.0.1` (never exposed unless asked). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default: 8080. */
  readonly port?: number;
  /** How long the sandbox may stay silent before the client gets a 504, in ms. Default: 30000. */
  readonly timeoutMs?: number;
  /** Accept self-signed or otherwise invalid TLS certificates from the sandbox. Default: false. */
  readonly insecure?: boolean;
  /** Most bytes of one body kept for the store; the client always gets all of it. Default: 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Identifies this recording session in the store. Default: a random UUID. */
  readonly session?: string;
  /** Called once per finished exchange (for the log), just before it is handed to the sink. */
  readonly onExchange?: (exchange: CapturedExchange) => void;
  /** Called for requests the proxy refuses to forward (absolute-URI, CONNECT). */
  readonly onRefused?: (method: string, url: string, reason: string) => void;
}

/**
 * What every exchange of one proxy shares. A flight holds a reference to it, so that the listeners
 * of an exchange are module-level functions: nothing is allocated per request beyond the flight.
 */
interface ProxyState {
  readonly sink: ExchangeSink;
  readonly onExchange: ((exchange: CapturedExchange) => void) | undefined;
  readonly service: string;
  readonly session: string;
  readonly origin: string;
  /** The target's path without its trailing slash ('' for the root): what request paths are joined to. */
  readonly basePath: string;
  readonly host: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** Exchanges waiting on the sandbox, swept for silence by one timer rather than a timer each. */
  readonly waiting: WaitingList;
  /** Called once per exchange, after it was handed to the sink. */
  readonly finished: () => void;
}

/** Per-request state, from the request's arrival to the end of its response. */
class Flight {
  readonly state: ProxyState;
  /** The response to the client. */
  readonly client: ServerResponse;
  readonly startedAt = Date.now();
  readonly started = performance.now();
  readonly request: BodyCollector;
  readonly response: BodyCollector;
  upstreamRequest: http.ClientRequest | null = null;
  upstreamResponse: IncomingMessage | null = null;
  error: ExchangeError | null = null;
  timedOut = false;
  /** The client's side of the exchange is over (answered, or gone). */
  closed = false;
  /** When the sandbox last did something for this exchange (`Date.now()`): for the silence timeout. */
  lastActivity: number;
  /** Neighbours in the proxy's {@link WaitingList}; `listed` while in it. */
  previous: Flight | null = null;
  next: Flight | null = null;
  listed = false;

  constructor(state: ProxyState, client: ServerResponse) {
    this.state = state;
    this.client = client;
    this.request = new BodyCollector(state.maxBodyBytes);
    this.response = new BodyCollector(state.maxBodyBytes);
    this.lastActivity = this.startedAt;
  }
}

/**
 * The flights waiting on the sandbox, threaded through the flights themselves. A `Set` did the
 * same, but under load, in a process with a large old generation (the CLI's), it made the
 * young-generation collector promote whole exchanges to the old generation: 1.7 MB per scavenge
 * instead of a few kilobytes, five times the collection cost, measured. A list costs two fields
 * per flight and nothing else.
 */
class WaitingList {
  #head: Flight | null = null;

  add(flight: Flight): void {
    if (flight.listed) return;
    flight.listed = true;
    flight.previous = null;
    flight.next = this.#head;
    if (this.#head !== null) this.#head.previous = flight;
    this.#head = flight;
  }

  delete(flight: Flight): void {
    if (!flight.listed) return;
    flight.listed = false;
    if (flight.previous !== null) flight.previous.next = flight.next;
    else this.#head = flight.next;
    if (flight.next !== null) flight.next.previous = flight.previous;
    flight.previous = null;
    flight.next = null;
  }

  /** Calls `visit` for every flight listed; `visit` may delete the flight it is given. */
  forEach(visit: (flight: Flight) => void): void {
    for (let flight = this.#head; flight !== null; ) {
      const next = flight.next;
      visit(flight);
      flight = next;
    }
  }
}

/** Where a request, its response to the client and the sandbox's response keep their flight. */
const FLIGHT = Symbol('mockdrift.flight');
type Carrier = { [FLIGHT]?: Flight };

function flightOf(message: object): Flight | undefined {
  return (message as Carrier)[FLIGHT];
}

/** Errors meaning that the sandbox could not be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);
/** OpenSSL's codes for certificates that do not verify (self-signed sandboxes). */
const TLS_CERTIFICATE_CODES = /SELF_SIGNED|CERT_|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * A reverse proxy in front of one sandbox that hands every exchange to a sink. Responses stream
 * to the client untouched while a copy is kept on the side; the proxy never waits for the sink.
 * It forwards only to its target: absolute-URI requests and CONNECT are refused, the `Host`
 * header is replaced by the target's.
 */
export class RecordingProxy {
  readonly target: URL;
  readonly service: string;
  readonly session: string;
  readonly #options: RecordingProxyOptions;
  readonly #server: http.Server;
  readonly #proxy: httpProxy;
  readonly #agent: http.Agent;
  readonly #state: ProxyState;
  readonly #sweeper: NodeJS.Timeout;
  readonly #timeoutMs: number;
  #inFlight = 0;
  #stopping = false;
  #drained: (() => void) | null = null;

  private constructor(options: RecordingProxyOptions, target: URL) {
    this.#options = options;
    this.target = target;
    this.service = options.service ?? 'default';
    this.session = options.session ?? randomUUID();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#state = {
      sink: options.sink,
      onExchange: options.onExchange,
      service: this.service,
      session: this.session,
      origin: target.origin,
      basePath: target.pathname === '/' ? '' : target.pathname.replace(/\/$/, ''),
      host: target.host,
      timeoutMs: this.#timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
      waiting: new WaitingList(),
      finished: () => this.#finished(),
    };
    // One sweep a fraction of the timeout apart: a silent sandbox is noticed at most 25% late.
    this.#sweeper = setInterval(() => this.#sweepSilent(), Math.max(10, Math.min(1000, this.#timeoutMs / 4)));
    this.#sweeper.unref();
    // Keep-alive to the sandbox: without an agent http-proxy sends `connection: close` and every
    // request pays for a new connection (and TLS handshake).
    const agentOptions = { keepAlive: true, maxSockets: 512, maxFreeSockets: 256, scheduling: 'lifo' as const };
    this.#agent =
      target.protocol === 'https:'
        ? new https.Agent({ ...agentOptions, rejectUnauthorized: !options.insecure })
        : new http.Agent(agentOptions);
    this.#proxy = httpProxy.createProxyServer({
      target: target.href,
      agent: this.#agent,
      changeOrigin: true,
      secure: !options.insecure,
      xfwd: false,
    });
    // Without an `error` listener http-proxy throws and takes the process down. Every failure of
    // a forwarded request (refused, reset, timed out) arrives here.
    this.#proxy.on('error', (error, req, res) => this.#onProxyError(error, req, res as ServerResponse | Socket));
    this.#proxy.on('proxyReq', (proxyReq, req) => this.#onUpstreamRequest(proxyReq, req));
    this.#proxy.on('proxyRes', (proxyRes, req) => this.#onUpstreamResponse(proxyRes, req));
    this.#server = http.createServer((req, res) => this.#onRequest(req, res));
    this.#server.on('connect', (req: IncomingMessage, socket: Socket) => {
      this.#options.onRefused?.('CONNECT', req.url ?? '', 'not an open proxy');
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    this.#server.on('clientError', (error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy(error);
    });
  }

  /**
   * Starts listening.
   * @throws MockdriftError `USAGE` for a target that is not an http(s) URL, `LISTEN_FAILED` when
   *   the host and port cannot be bound.
   */
  static async start(options: RecordingProxyOptions): Promise<RecordingProxy> {
    const target = parseTarget(options.target);
    const proxy = new RecordingProxy(options, target);
    await proxy.#listen(options.host ?? '127.0.0.1', options.port ?? 8080);
    return proxy;
  }

  /** The URL clients send their requests to, e.g. `http://127.0.0.1:8080`. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Exchanges under way. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Stops accepting connections, lets the exchanges under way finish (at most `graceMs`, default
   * 10 s; then their connections are cut) and closes every connection.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#server.closeAllConnections();
    await closed;
    clearInterval(this.#sweeper);
    this.#proxy.close();
    this.#agent.destroy();
  }

  #listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new MockdriftError(
            'LISTEN_FAILED',
            `Cannot listen on ${host}:${port}: ${describeError(error)}. ` +
              (error.code === 'EADDRINUSE' ? 'Pick another --port (0 picks a free one).' : 'Check --host and --port.'),
            { cause: error },
          ),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const sink = this.#options.sink;
    if (sink.overloaded && sink.ready) {
      // The recorder is far behind: hold new requests until it catches up rather than let every
      // body pile up in memory. Only under a load the store cannot follow; nothing is dropped.
      req.pause();
      void sink.ready().then(() => {
        if (!res.destroyed) this.#forward(req, res);
      });
      return;
    }
    this.#forward(req, res);
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    if (!url.startsWith('/')) {
      // An absolute URI (`GET http://other.host/ HTTP/1.1`) is a forward-proxy request.
      this.#options.onRefused?.(req.method ?? '?', url, 'not an open proxy');
      sendJson(res, 400, {
        error: 'not_an_open_proxy',
        message: `mockdrift forwards only to ${this.target.origin}; send origin-form requests such as "GET /path".`,
      });
      return;
    }

    // The sandbox's own Date (if it sent one) is copied; adding ours would change the response.
    res.sendDate = false;
    const flight = new Flight(this.#state, res);
    (req as Carrier)[FLIGHT] = flight;
    (res as Carrier)[FLIGHT] = flight;
    this.#state.waiting.add(flight);
    this.#inFlight += 1;
    // Connection-level headers are the client's business with us, not ours with the sandbox;
    // forwarding `connection: keep-alive` or `close` would defeat the agent's pooling. The
    // request's own framing (`transfer-encoding: chunked`) stays: Node frames the body by it.
    // http-proxy copies `req.headers` when it builds the upstream request (and emits `proxyReq`
    // only once the headers may already be on the wire), so they are removed here.
    const clientConnection = req.headers.connection;
    stripHopByHop(req.headers, 'transfer-encoding');
    // A request without a body (most of them) needs no listener: it would only switch the stream mode.
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) req.on('data', onRequestData);
    res.on('close', onClientClosed);
    // No per-request options or callback: http-proxy would copy its options and parse the target
    // URL again for every request. Its errors reach the server-wide `error` listener.
    this.#proxy.web(req, res);
    // http-proxy has built the upstream request by now; the answer to the client must still honour
    // the client's own `Connection` (a `close` there means close, not keep-alive).
    if (clientConnection !== undefined) req.headers.connection = clientConnection;
  }

  #onUpstreamRequest(proxyReq: http.ClientRequest, req: IncomingMessage): void {
    const flight = flightOf(req);
    if (!flight) return;
    flight.upstreamRequest = proxyReq;
    if (flight.closed) proxyReq.destroy();
  }

  /**
   * Cuts exchanges whose sandbox stayed silent longer than the timeout: no answer yet (the client
   * gets a 504), or a body that stopped coming (the client's connection is cut).
   */
  #sweepSilent(): void {
    const deadline = Date.now() - this.#timeoutMs;
    this.#state.waiting.forEach((flight) => {
      if (flight.lastActivity > deadline || flight.timedOut) return;
      flight.timedOut = true;
      const silence = new Error(`no response from ${this.target.origin} within ${this.#timeoutMs} ms`);
      if (flight.upstreamRequest) flight.upstreamRequest.destroy(silence);
      else this.#state.waiting.delete(flight); // not even connected yet: the agent's queue will answer
    });
  }

  #onUpstreamResponse(proxyRes: IncomingMessage, req: IncomingMessage): void {
    const flight = flightOf(req);
    if (!flight) return;
    flight.upstreamResponse = proxyRes;
    flight.lastActivity = Date.now();
    (proxyRes as Carrier)[FLIGHT] = flight;
    stripHopByHop(proxyRes.headers);
    // A body is announced by its length, except for HEAD requests and the statuses that never have one.
    const length = proxyRes.headers['content-length'];
    if (length !== undefined && req.method !== 'HEAD' && proxyRes.statusCode !== 204 && proxyRes.statusCode !== 304) {
      flight.response.expect(Number(length));
    }
    proxyRes.on('data', onResponseData);
    // http-proxy pipes the response to the client and nothing else: if the sandbox dies mid-body
    // the client would wait forever. Cut the client's connection so that it sees the failure.
    // An aborted or failed response always ends with 'close': that listener handles all three;
    // this one only keeps an 'error' without a listener from taking the process down.
    proxyRes.on('error', ignore);
    proxyRes.on('close', onUpstreamClosed);
  }

  #onProxyError(error: Error, req: IncomingMessage, res: ServerResponse | Socket): void {
    const flight = flightOf(req);
    if (flight && !flight.error) {
      const code = (error as NodeJS.ErrnoException).code;
      flight.error = flight.timedOut
        ? exchangeError('upstream-timeout', `no response from ${this.target.origin} within ${this.#timeoutMs} ms`)
        : flight.upstreamResponse
          ? exchangeError('upstream-aborted', `${this.target.origin} failed mid-response: ${describeError(error)}`)
          : res.destroyed
            ? exchangeError('client-aborted', 'the client went away before the sandbox answered')
            : exchangeError(
                code !== undefined && UNREACHABLE_CODES.has(code) ? 'upstream-unreachable' : 'proxy-error',
                `cannot reach ${this.target.origin}: ${describeError(error)}` +
                  (code !== undefined && TLS_CERTIFICATE_CODES.test(code) ? ' (record with --insecure to accept it)' : ''),
              );
    }
    if (!('writeHead' in res)) {
      res.destroy();
      return;
    }
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const timedOut = flight?.timedOut ?? false;
    sendJson(res, timedOut ? 504 : 502, {
      error: timedOut ? 'upstream_timeout' : 'upstream_unreachable',
      message: flight?.error?.message ?? describeError(error),
      target: this.target.origin,
    });
  }

  #finished(): void {
    this.#inFlight -= 1;
    if (this.#stopping) {
      this.#server.closeIdleConnections();
      if (this.#inFlight === 0) this.#drained?.();
    }
  }
}

function onRequestData(this: IncomingMessage, chunk: Buffer): void {
  flightOf(this)?.request.add(chunk);
}

function onResponseData(this: IncomingMessage, chunk: Buffer): void {
  const flight = flightOf(this);
  if (!flight) return;
  flight.lastActivity = Date.now();
  flight.response.add(chunk);
}

function onUpstreamClosed(this: IncomingMessage): void {
  const flight = flightOf(this);
  if (!flight) return;
  flight.state.waiting.delete(flight);
  if (this.complete) return;
  const { origin, timeoutMs } = flight.state;
  flight.error ??= exchangeError(
    flight.timedOut ? 'upstream-timeout' : 'upstream-aborted',
    flight.timedOut ? `${origin} stopped sending the body for ${timeoutMs} ms` : `${origin} closed the connection before the end of the body`,
  );
  flight.client.destroy();
}

/** The client's side is over (answered, or gone): hand the exchange to the sink. */
function onClientClosed(this: ServerResponse): void {
  const flight = flightOf(this);
  if (!flight || flight.closed) return;
  const { state } = flight;
  const req = this.req;
  flight.closed = true;
  state.waiting.delete(flight);
  if (!this.writableFinished) {
    // The client went away: stop the sandbox's work too (http-proxy leaves it running).
    flight.error ??= exchangeError('client-aborted', 'the client closed the connection before the end of the response');
    flight.upstreamRequest?.destroy();
    flight.upstreamResponse?.destroy();
  }
  const upstream = flight.upstreamResponse;
  // The request is over: its header object is ours to finish (the sandbox saw the target's host).
  const requestHeaders = req.headers as HeaderMap;
  requestHeaders.host = state.host;
  const exchange: CapturedExchange = {
    source: 'record',
    service: state.service,
    session: state.session,
    startedAt: flight.startedAt,
    durationMs: Math.round((performance.now() - flight.started) * 1000) / 1000,
    method: req.method ?? 'GET',
    // Origin-form request targets only reach here (absolute ones are refused): concatenation is exact.
    url: state.origin + state.basePath + (req.url ?? '/'),
    requestHeaders,
    requestBody: flight.request.take(),
    requestBodyTruncated: flight.request.truncated,
    status: upstream?.statusCode ?? null,
    responseHeaders: upstream ? (upstream.headers as HeaderMap) : null,
    responseBody: flight.response.take(),
    responseBodyTruncated: flight.response.truncated,
    error: flight.error,
  };
  // A keep-alive connection holds on to its last request, and the request to its flight: let go
  // of the sandbox's side, so that a finished exchange pins nothing until the next one arrives.
  flight.upstreamRequest = null;
  flight.upstreamResponse = null;
  // The log first: a sink may take the body buffers away (the capture writer transfers them).
  state.onExchange?.(exchange);
  state.sink.write(exchange);
  state.finished();
}

function ignore(): void {}

function exchangeError(code: ExchangeErrorCode, message: string): ExchangeError {
  return { code, message };
}

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new MockdriftError('USAGE', `--target "${target}" is not a URL; give the sandbox's base URL, e.g. https://sandbox.example.com`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MockdriftError('USAGE', `--target "${target}" must be an http:// or https:// URL`);
  }
  return url;
}
