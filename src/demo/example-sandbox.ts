import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The example sandboxes of `mockdrift demo`: a payments API and a warehouse API, in process, on
 * loopback. Their answers have drifted from the example fixtures in `fixtures/` the way real
 * APIs drift: a renamed field, a nested rename, a number that became a string, a field moved into
 * a new object, a date that became a date-time, a 201 that became a 200, JSON that became HTML.
 */
export interface ExampleSandbox {
  readonly url: string;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, match: RegExpMatchArray, body: string) => { status: number; body: unknown; type?: string };

let sequence = 0;
const next = (): number => ++sequence;
/** A counter of its own per route, so that "every other answer" alternates whatever else ran. */
const counter = (): (() => number) => {
  let count = 0;
  return () => ++count;
};
const refundAnswers = counter();
const customerAnswers = counter();
const id = (prefix: string): string => `${prefix}_${(1_000_000 + next() * 7919).toString(36)}${next().toString(36).padStart(4, '0')}`;

const PAYMENTS: Array<[string, RegExp, Route]> = [
  [
    'POST',
    /^\/v1\/charges$/,
    (_req, _match, body) => {
      const request = safeJson(body) as { amount?: number; currency?: string; customer?: string };
      const n = next();
      return {
        status: 201,
        body: {
          id: id('ch'),
          object: 'charge',
          txn_id: id('txn'), // was transaction_id
          amount: request.amount ?? 1200,
          currency: request.currency ?? 'eur',
          status: 'succeeded',
          created_at: `2026-11-${String(10 + (n % 9)).padStart(2, '0')}T09:${String(n % 60).padStart(2, '0')}:00Z`, // was a date
          customer: { userId: request.customer ?? 'usr_8812', email: 'ada@example.com' }, // was user_id
          metadata: {},
        },
      };
    },
  ],
  [
    'GET',
    /^\/v1\/refunds\/(re_\w+)$/,
    (_req, match) => ({
      status: 200,
      body: {
        id: match[1],
        charge: id('ch'),
        amount: '12.00', // was a number of cents
        currency: 'eur',
        status: 'SUCCEEDED', // was lower-case
        reason: refundAnswers() % 2 === 0 ? 'requested_by_customer' : null,
      },
    }),
  ],
  [
    'POST',
    /^\/v1\/customers$/,
    (_req, _match, body) => {
      const request = safeJson(body) as { email?: string; name?: string };
      return { status: 200, body: { id: id('cus'), email: request.email ?? 'ada@example.com', name: request.name ?? 'Ada', created: 1_790_000_000 + next() } }; // was 201
    },
  ],
  [
    'GET',
    /^\/v1\/customers\/(cus_\w+)$/,
    (_req, match) => {
      const n = customerAnswers();
      return {
        status: 200,
        body: {
          id: match[1],
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          phone: n % 3 === 0 ? null : '+44 20 7946 0000', // sometimes null now
          ...(n % 2 === 0 ? { nickname: 'ada' } : {}), // sometimes absent now
        },
      };
    },
  ],
];

const WAREHOUSE: Array<[string, RegExp, Route]> = [
  ['GET', /^\/api\/v1\/shipments\/UNKNOWN\d+$/, () => ({ status: 404, body: { error: 'not_found', message: 'No such shipment' } })],
  [
    'GET',
    /^\/api\/v1\/shipments\/([A-Z]+\d+)$/,
    (_req, match) => ({
      status: 200,
      body: {
        id: match[1],
        status: 'in_transit',
        shipping: { carrier: 'dhl', service: 'express' }, // carrier moved in here
        weight_kg: 2.5,
        items: [
          { skuCode: `SKU-${next()}`, qty: 2 }, // was sku
          { skuCode: `SKU-${next()}`, qty: 1 },
        ],
        eta: '2026-11-24',
      },
    }),
  ],
  [
    'GET',
    /^\/api\/v1\/stock\/search$/,
    (req) => {
      const q = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('q') ?? '';
      return {
        status: 200,
        body: {
          query: q,
          hits: { total: { value: 2, relation: 'eq' }, items: [{ sku: 'SKU-1', name: `${q} small`, available: 12 }, { sku: 'SKU-2', name: `${q} large`, available: 0 }] }, // total was a number
        },
      };
    },
  ],
  [
    'GET',
    /^\/api\/v1\/shipments\/([A-Z]+\d+)\/label$/,
    (_req, match) => ({
      status: 200,
      type: 'text/html; charset=utf-8', // was JSON with a URL
      body: `<!doctype html><html><body><h1>Label ${match[1]}</h1></body></html>`,
    }),
  ],
];

/** Starts the payments and the warehouse sandbox on 127.0.0.1, each on a free port. */
export async function startExampleSandboxes(): Promise<{ payments: ExampleSandbox; warehouse: ExampleSandbox }> {
  const [payments, warehouse] = await Promise.all([serve(PAYMENTS), serve(WAREHOUSE)]);
  return { payments, warehouse };
}

async function serve(routes: ReadonlyArray<[string, RegExp, Route]>): Promise<ExampleSandbox> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(routes, req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(routes: ReadonlyArray<[string, RegExp, Route]>, req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  for (const [method, pattern, route] of routes) {
    const match = path.match(pattern);
    if (req.method !== method || !match) continue;
    const result = route(req, match, body);
    const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    res.writeHead(result.status, { 'content-type': result.type ?? 'application/json', 'x-request-id': `req_${next()}` });
    res.end(text);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not_found', message: `No route for ${req.method} ${path}` }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
