import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type FindingKind, type Report } from '../../src/model/finding.js';
import type { FixtureFormat } from '../../src/model/fixture.js';
import { lineContaining } from '../support/fixture-samples.js';
import { BASE_TIME, checkCase, findingLines, FORMATS, prepareCase, type FixtureSpec, type RecordingSpec } from './harness.js';

/** The line a finding is expected as: `breaking field-renamed $.user_id -> $.userId`. */
function line(kind: FindingKind, path?: string, to?: string): string {
  return [FINDING_SEVERITY[kind], kind, path ?? '-', ...(to !== undefined ? ['->', to] : [])].join(' ');
}

const HOUR = 3_600_000;
const iso = (offsetHours: number): string => new Date(BASE_TIME + offsetHours * HOUR).toISOString().replace('.000Z', 'Z');

interface DriftCase {
  readonly name: string;
  readonly fixture: FixtureSpec;
  readonly recordings: readonly RecordingSpec[];
  /** Breaking and warning findings, exactly. */
  readonly expected: readonly string[];
  /** Info findings, exactly, when the case is about them. */
  readonly info?: readonly string[];
  /** Every finding, exactly (whatever the severity), when the case says so. */
  readonly all?: readonly string[];
  /** What recorded fixtures (HAR, nock) give instead, when it differs. */
  readonly recorded?: { readonly expected: readonly string[]; readonly info: readonly string[] };
}

// ---------------------------------------------------------------------------------------------
// Drift: each case changes one thing reality does, and expects exactly the findings for it.
// ---------------------------------------------------------------------------------------------

const CHARGE_IDS = ['ch_3PqR7tLkdIwHu7ix', 'ch_1NqkZ2LkdIwHu7ix', 'ch_9XyzW3AbCdEf12gh', 'ch_2LmNoPqRsTuVwXy4'] as const;
const SHIPMENT_IDS = ['SHIP4821', 'SHIP4822', 'SHIP5107', 'SHIP5230', 'SHIP6001'] as const;

const snakeToCamel: DriftCase = {
  name: 'snake_case renamed to camelCase (user_id -> userId)',
  fixture: {
    service: 'payments',
    name: 'a charge by id',
    method: 'GET',
    path: '/v1/charges/ch_3MtwBwLkdIwHu7ix',
    status: 200,
    body: {
      id: 'ch_3MtwBwLkdIwHu7ix',
      object: 'charge',
      user_id: 'usr_8812',
      amount: 1200,
      currency: 'eur',
      status: 'succeeded',
      created_at: '2026-04-17T10:00:00Z',
    },
  },
  recordings: CHARGE_IDS.map((id, i) => ({
    method: 'GET',
    path: `/v1/charges/${id}`,
    status: 200,
    body: {
      id,
      object: 'charge',
      userId: `usr_${4410 + i * 37}`,
      amount: [2599, 1250, 990, 15000][i],
      currency: i % 2 === 0 ? 'eur' : 'usd',
      status: i === 2 ? 'pending' : 'succeeded',
      created_at: iso(i * 5 + 1),
    },
  })),
  expected: [line('field-renamed', '$.user_id', '$.userId')],
  info: [],
};

const abbreviation: DriftCase = {
  name: 'abbreviation rename (transaction_id -> txn_id)',
  fixture: {
    service: 'payments',
    name: 'create a charge',
    method: 'POST',
    path: '/v1/charges',
    status: 201,
    body: {
      id: 'ch_3MtwBwLkdIwHu7ix',
      object: 'charge',
      transaction_id: 'txn_1032HU2eZvKYlo2C',
      amount: 1200,
      currency: 'eur',
      status: 'succeeded',
      created_at: '2026-04-17T10:00:00Z',
    },
  },
  recordings: CHARGE_IDS.map((id, i) => ({
    method: 'POST',
    path: '/v1/charges',
    status: 201,
    body: {
      id,
      object: 'charge',
      txn_id: `txn_${['3PqR7tZk', '1NqkZ2Aa', '9XyzW3Bb', '2LmNoPcc'][i]}LkdIwHu7`,
      amount: [2599, 1250, 990, 15000][i],
      currency: 'eur',
      status: 'succeeded',
      created_at: iso(i * 3),
    },
  })),
  expected: [line('field-renamed', '$.transaction_id', '$.txn_id')],
  info: [],
};

const arrayItemRename: DriftCase = {
  name: 'rename inside array items ($.items[*].sku -> $.items[*].skuCode)',
  fixture: {
    service: 'warehouse',
    name: 'a shipment in transit',
    method: 'GET',
    path: '/api/v1/shipments/SHIP123',
    status: 200,
    body: {
      id: 'SHIP123',
      status: 'in_transit',
      carrier: 'dhl',
      items: [{ sku: 'SKU-1', qty: 2, description: 'widget small' }],
    },
  },
  recordings: SHIPMENT_IDS.map((id, i) => ({
    method: 'GET',
    path: `/api/v1/shipments/${id}`,
    status: 200,
    body: {
      id,
      status: i === 4 ? 'delivered' : 'in_transit',
      carrier: i % 2 === 0 ? 'dhl' : 'ups',
      items: Array.from({ length: (i % 3) + 1 }, (_, n) => ({ skuCode: `SKU-${10 + i * 7 + n}`, qty: n + 1, description: `part ${n}` })),
    },
  })),
  expected: [line('field-renamed', '$.items[*].sku', '$.items[*].skuCode')],
  info: [],
};

const nestedRename: DriftCase = {
  name: 'nested rename ($.customer.user_id -> $.customer.userId)',
  fixture: {
    service: 'payments',
    name: 'an invoice with its customer',
    method: 'GET',
    path: '/v1/invoices/in_1MtHbELkdIwHu7ix',
    status: 200,
    body: {
      id: 'in_1MtHbELkdIwHu7ix',
      object: 'invoice',
      amount_due: 4200,
      currency: 'eur',
      customer: { user_id: 'usr_8812', email: 'ada@example.com', name: 'Ada Lovelace' },
      due_date: '2026-05-01',
    },
  },
  recordings: ['in_1NaBcDLkdIwHu7ix', 'in_1NbCdELkdIwHu7ix', 'in_1NcDeFLkdIwHu7ix', 'in_1NdEfGLkdIwHu7ix'].map((id, i) => ({
    method: 'GET',
    path: `/v1/invoices/${id}`,
    status: 200,
    body: {
      id,
      object: 'invoice',
      amount_due: [100, 2500, 99900, 1][i],
      currency: 'eur',
      customer: { userId: `usr_${9000 + i}`, email: `buyer${i}@shop.example`, name: ['Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'][i] },
      due_date: `2026-05-${String(10 + i).padStart(2, '0')}`,
    },
  })),
  expected: [line('field-renamed', '$.customer.user_id', '$.customer.userId')],
  info: [],
};

const SHIPMENT_FIXTURE_BASE = { service: 'warehouse', method: 'GET', path: '/api/v1/shipments/SHIP123', status: 200 } as const;

const movedIntoObject: DriftCase = {
  name: 'field moved into a new object (carrier -> shipping.carrier)',
  fixture: {
    ...SHIPMENT_FIXTURE_BASE,
    name: 'a shipment with its carrier',
    body: { id: 'SHIP123', status: 'in_transit', carrier: 'dhl', weight_kg: 2.5, created_at: '2026-04-17T10:00:00Z' },
  },
  recordings: SHIPMENT_IDS.slice(0, 4).map((id, i) => ({
    method: 'GET',
    path: `/api/v1/shipments/${id}`,
    status: 200,
    body: {
      id,
      status: 'in_transit',
      shipping: { carrier: ['ups', 'dhl', 'fedex', 'dhl'][i], service_level: i % 2 === 0 ? 'express' : 'standard' },
      weight_kg: [1.25, 7.5, 0.5, 3.75][i],
      created_at: iso(i * 7),
    },
  })),
  expected: [line('field-moved', '$.carrier', '$.shipping.carrier')],
  info: [line('field-added', '$.shipping')],
};

const unrelatedFields: DriftCase = {
  name: 'unrelated fields: carrier gone, weight new (no rename)',
  fixture: {
    ...SHIPMENT_FIXTURE_BASE,
    name: 'a shipment with an eta',
    body: { id: 'SHIP123', status: 'in_transit', carrier: 'dhl', eta: '2026-04-20' },
  },
  recordings: SHIPMENT_IDS.slice(0, 4).map((id, i) => ({
    method: 'GET',
    path: `/api/v1/shipments/${id}`,
    status: 200,
    // weight is a string too, so that only the names tell the two fields apart.
    body: { id, status: 'in_transit', weight: `${[1.5, 2, 12.25, 0.75][i]} kg`, eta: `2026-04-${21 + i}` },
  })),
  expected: [line('field-missing', '$.carrier')],
  info: [line('field-added', '$.weight')],
};

const amountToString: DriftCase = {
  name: 'number -> string ($.amount)',
  fixture: {
    service: 'payments',
    name: 'a payout',
    method: 'GET',
    path: '/v1/payouts/po_1OaFDbEq7jRIt1Fg',
    status: 200,
    body: { id: 'po_1OaFDbEq7jRIt1Fg', object: 'payout', amount: 1200, currency: 'eur', arrival_date: '2026-04-20', status: 'paid' },
  },
  recordings: ['po_1PbGEcFr8kSJu2Gh', 'po_1QcHFdGs9lTKv3Hi', 'po_1RdIGeHt0mULw4Ij'].map((id, i) => ({
    method: 'GET',
    path: `/v1/payouts/${id}`,
    status: 200,
    body: { id, object: 'payout', amount: ['12.00', '250.50', '9.99'][i], currency: 'eur', arrival_date: `2026-04-${22 + i}`, status: i === 1 ? 'in_transit' : 'paid' },
  })),
  expected: [line('type-changed', '$.amount')],
  info: [],
};

const totalToObject: DriftCase = {
  name: 'number -> object ($.hits.total)',
  fixture: {
    service: 'warehouse',
    name: 'stock search',
    method: 'GET',
    path: '/api/v1/stock/search',
    query: { q: 'widget' },
    status: 200,
    body: { query: 'widget', hits: { total: 2, items: [{ sku: 'SKU-1', name: 'widget small', available: 12 }] } },
  },
  recordings: ['gadget', 'bolt', 'nut', 'widget'].map((q, i) => ({
    method: 'GET',
    path: `/api/v1/stock/search?q=${q}`,
    status: 200,
    body: {
      query: q,
      hits: {
        total: { value: i + 1, relation: 'eq' },
        items: Array.from({ length: i + 1 }, (_, n) => ({ sku: `SKU-${100 + i * 10 + n}`, name: `${q} ${n}`, available: n * 3 })),
      },
    },
  })),
  expected: [line('type-changed', '$.hits.total')],
  info: [],
};

const REFUND_IDS = ['re_1OaBcDLkdIwHu7ix', 're_1ObCdELkdIwHu7ix', 're_1OcDeFLkdIwHu7ix'] as const;

const statusChanged: DriftCase = {
  name: 'status 201 -> 200',
  fixture: {
    service: 'payments',
    name: 'create a refund',
    method: 'POST',
    path: '/v1/refunds',
    status: 201,
    body: { id: 're_1NispeLkdIwHu7ix', object: 'refund', charge: 'ch_3MtwBwLkdIwHu7ix', amount: 1200, status: 'succeeded' },
  },
  recordings: REFUND_IDS.map((id, i) => ({
    method: 'POST',
    path: '/v1/refunds',
    status: 200,
    body: { id, object: 'refund', charge: CHARGE_IDS[i]!, amount: [500, 1200, 75][i], status: 'succeeded' },
  })),
  expected: [line('status-changed')],
  info: [],
};

const MAINTENANCE_PAGE =
  '<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head><body><h1>We will be back soon</h1><p>Ref: %REF%</p></body></html>';

const jsonToHtml: DriftCase = {
  name: 'JSON -> HTML',
  fixture: {
    service: 'payments',
    name: 'the balance',
    method: 'GET',
    path: '/v1/balance',
    status: 200,
    body: { object: 'balance', available: [{ amount: 66800, currency: 'eur' }], livemode: false },
  },
  recordings: ['a1', 'b2', 'c3'].map((ref) => ({
    method: 'GET',
    path: '/v1/balance',
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: MAINTENANCE_PAGE.replace('%REF%', ref),
  })),
  expected: [line('content-type-changed')],
  info: [],
};

const formatChanges: DriftCase = {
  name: 'date -> date-time and uuid -> integer-string',
  fixture: {
    service: 'warehouse',
    name: 'an order',
    method: 'GET',
    path: '/api/v1/orders/ORD-2026-0001',
    status: 200,
    body: { id: 'ORD-2026-0001', created_on: '2026-04-17', reference: '3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c', total: 42.5, status: 'open' },
  },
  recordings: ['ORD-2026-0107', 'ORD-2026-0108', 'ORD-2026-0342', 'ORD-2026-0977'].map((id, i) => ({
    method: 'GET',
    path: `/api/v1/orders/${id}`,
    status: 200,
    body: { id, created_on: iso(i * 9 + 2), reference: String(48213 + i * 1111), total: [10, 42.5, 99.95, 7][i], status: i === 3 ? 'closed' : 'open' },
  })),
  expected: [line('format-changed', '$.created_on'), line('format-changed', '$.reference')],
  info: [],
};

const nullAndAbsent: DriftCase = {
  name: 'a field null in some recordings and absent in others',
  fixture: {
    ...SHIPMENT_FIXTURE_BASE,
    name: 'a delivered shipment',
    body: { id: 'SHIP123', status: 'delivered', carrier: 'dhl', signed_by: 'J. Doe' },
  },
  recordings: SHIPMENT_IDS.map((id, i) => {
    const body: Record<string, unknown> = { id, status: 'delivered', carrier: i < 3 ? 'dhl' : 'ups' };
    if (i === 0) body['signed_by'] = 'M. Curie';
    if (i === 1) body['signed_by'] = 'R. Franklin';
    if (i === 2) body['signed_by'] = null;
    // 3 and 4: absent
    return { method: 'GET', path: `/api/v1/shipments/${id}`, status: 200, body };
  }),
  expected: [line('field-optional', '$.signed_by'), line('field-nullable', '$.signed_by')],
  info: [],
};

const headerMissing: DriftCase = {
  name: 'a declared header never recorded (x-request-id)',
  fixture: {
    service: 'payments',
    name: 'a charge with its request id',
    method: 'GET',
    path: '/v1/charges/ch_3MtwBwLkdIwHu7ix',
    status: 200,
    headers: { 'X-Request-Id': 'req_9gK3mNp' },
    body: { id: 'ch_3MtwBwLkdIwHu7ix', object: 'charge', amount: 1200, currency: 'eur', status: 'succeeded' },
  },
  recordings: CHARGE_IDS.map((id, i) => ({
    method: 'GET',
    path: `/v1/charges/${id}`,
    status: 200,
    headers: { 'request-id': `req_${7000 + i}abc`, 'cache-control': 'no-store' },
    body: { id, object: 'charge', amount: [2599, 1250, 990, 15000][i], currency: 'eur', status: 'succeeded' },
  })),
  expected: [line('header-missing', 'headers.x-request-id')],
  info: [],
  // A recorder captured the header incidentally: at most info.
  recorded: { expected: [], info: ['info header-missing headers.x-request-id'] },
};

const realityAddsFields: DriftCase = {
  name: 'reality adds fields (info only)',
  fixture: {
    service: 'payments',
    name: 'a customer',
    method: 'GET',
    path: '/v1/customers/cus_NffrFeUfNV2Hib',
    status: 200,
    body: { id: 'cus_NffrFeUfNV2Hib', object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace' },
  },
  recordings: ['cus_PqrsTuVwXy12Ab', 'cus_AbcdEfGhIj34Cd', 'cus_KlmnOpQrSt56Ef'].map((id, i) => ({
    method: 'GET',
    path: `/v1/customers/${id}`,
    status: 200,
    body: {
      id,
      object: 'customer',
      email: `customer${i}@shop.example`,
      name: ['Grace Hopper', 'Alan Turing', 'Katherine Johnson'][i],
      phone: `+44 20 7946 00${10 + i}`,
      livemode: false,
      metadata: { segment: i === 0 ? 'b2b' : 'b2c' },
    },
  })),
  expected: [],
  info: [line('field-added', '$.livemode'), line('field-added', '$.metadata'), line('field-added', '$.phone')],
};

const noRecording: DriftCase = {
  name: 'no recording for the route',
  fixture: {
    service: 'payments',
    name: 'a dispute',
    method: 'GET',
    path: '/v1/disputes/dp_1NispeLkdIwHu7ix',
    status: 200,
    body: { id: 'dp_1NispeLkdIwHu7ix', object: 'dispute', amount: 1200, reason: 'fraudulent', status: 'needs_response' },
  },
  recordings: CHARGE_IDS.slice(0, 3).map((id, i) => ({
    method: 'GET',
    path: `/v1/charges/${id}`,
    status: 200,
    body: { id, object: 'charge', amount: 100 * (i + 1), currency: 'eur', status: 'succeeded' },
  })),
  expected: [],
  all: [line('unverified')],
};

// ---------------------------------------------------------------------------------------------
// Precision: reality agrees with the fixture's shape; nothing breaking, nothing to warn about.
// ---------------------------------------------------------------------------------------------

const valuesDiffer: DriftCase = {
  name: 'fixture values differ from reality, same shape',
  fixture: {
    service: 'payments',
    name: 'create a charge for a customer',
    method: 'POST',
    path: '/v1/charges',
    status: 201,
    body: {
      id: 'ch_FixtureExample1',
      object: 'charge',
      amount: 1200,
      currency: 'eur',
      description: 'Order #1001',
      customer: { id: 'cus_NffrFeUfNV2Hib', email: 'ada@example.com', name: 'Ada Lovelace' },
      status: 'succeeded',
      paid: true,
      created_at: '2026-04-17T10:00:00Z',
      metadata: { order_id: '1001' },
    },
  },
  recordings: CHARGE_IDS.map((id, i) => ({
    method: 'POST',
    path: '/v1/charges',
    status: 201,
    body: {
      id,
      object: 'charge',
      amount: [5000, 999, 42, 123456][i],
      currency: ['usd', 'gbp', 'eur', 'chf'][i],
      description: `Order #${2044 + i * 13}`,
      customer: { id: `cus_Zz${i}YxWvUtSr9Qp`, email: `someone${i}@corp.example`, name: ['Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'][i] },
      status: i === 3 ? 'pending' : 'succeeded',
      paid: i !== 3,
      created_at: iso(24 * i + 3),
      metadata: { order_id: String(2044 + i * 13) },
    },
  })),
  expected: [],
  info: [],
};

const varyingIdsAndTimes: DriftCase = {
  name: 'ids and timestamps vary between recordings',
  fixture: {
    service: 'payments',
    name: 'list charges',
    method: 'GET',
    path: '/v1/charges',
    query: { limit: '3' },
    status: 200,
    body: {
      object: 'list',
      url: '/v1/charges',
      has_more: false,
      data: [{ id: 'ch_3MtwBwLkdIwHu7ix', amount: 1200, created: 1790000000, created_at: '2026-04-17T10:00:00Z' }],
    },
  },
  recordings: [1, 3, 2, 3, 1].map((count, i) => ({
    method: 'GET',
    path: `/v1/charges?limit=${count}`,
    status: 200,
    recordedAt: BASE_TIME + i * 17 * 60_000 + i * 1234,
    body: {
      object: 'list',
      url: '/v1/charges',
      has_more: i % 2 === 0,
      data: Array.from({ length: count }, (_, n) => ({
        id: `ch_${(i * 7 + n).toString(36)}Qw${n}ErTyUiOp${i}`,
        amount: 100 + i * 37 + n,
        created: 1_790_000_000 + i * 86_400 + n * 61,
        created_at: iso(i * 24 + n),
      })),
    },
  })),
  expected: [],
  info: [],
};

const NOT_FOUND = { ...SHIPMENT_FIXTURE_BASE, name: 'an unknown shipment', path: '/api/v1/shipments/UNKNOWN999', status: 404 } as const;

const notFoundOnlyOks: DriftCase = {
  name: 'a 404 fixture when only 200s are recorded',
  fixture: { ...NOT_FOUND, body: { error: 'not_found', message: 'No such shipment' } },
  recordings: SHIPMENT_IDS.slice(0, 3).map((id, i) => ({
    method: 'GET',
    path: `/api/v1/shipments/${id}`,
    status: 200,
    body: { id, status: 'in_transit', carrier: 'dhl', items: [{ sku: `SKU-${i}`, qty: 1 }] },
  })),
  expected: [],
  all: [line('unverified')],
};

const notFoundWithNotFounds: DriftCase = {
  name: 'a 404 fixture with 404 recordings of the same error shape',
  fixture: { ...NOT_FOUND, body: { error: 'not_found', message: 'No such shipment' } },
  recordings: ['UNKNOWN1234', 'NOPE0001', 'SHIP9999'].map((id) => ({
    method: 'GET',
    path: `/api/v1/shipments/${id}`,
    status: 404,
    body: { error: 'not_found', message: `No such shipment: ${id}` },
  })),
  expected: [],
  all: [],
};

const POST = (n: number): Record<string, unknown> => ({ id: n, title: `post number ${n}`, userId: (n % 4) + 1 });

const queryGroups: DriftCase = {
  name: 'query groups: /posts?_page=1 is compared with the _page group only',
  fixture: {
    service: 'blog',
    name: 'first page of posts',
    method: 'GET',
    path: '/posts',
    query: { _page: '1' },
    status: 200,
    body: { data: [POST(1)], page: 1, per_page: 10, total: 42 },
  },
  recordings: [
    { method: 'GET', path: '/posts', status: 200, body: [POST(1), POST(2), POST(3)] },
    { method: 'GET', path: '/posts', status: 200, body: [POST(4), POST(5)] },
    { method: 'GET', path: '/posts?_page=1', status: 200, body: { data: [POST(1), POST(2)], page: 1, per_page: 10, total: 42 } },
    { method: 'GET', path: '/posts?_page=2', status: 200, body: { data: [POST(11)], page: 2, per_page: 10, total: 43 } },
  ],
  expected: [],
  info: [],
};

const CASES: readonly DriftCase[] = [
  snakeToCamel,
  abbreviation,
  arrayItemRename,
  nestedRename,
  movedIntoObject,
  unrelatedFields,
  amountToString,
  totalToObject,
  statusChanged,
  jsonToHtml,
  formatChanges,
  nullAndAbsent,
  headerMissing,
  realityAddsFields,
  noRecording,
  valuesDiffer,
  varyingIdsAndTimes,
  notFoundOnlyOks,
  notFoundWithNotFounds,
  queryGroups,
];

function assertCase(report: Report, testCase: DriftCase, format?: FixtureFormat): void {
  if (testCase.recorded && (format === 'har' || format === 'nock')) {
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([...testCase.recorded.expected].sort());
    expect(findingLines(report, ['info'])).toEqual([...testCase.recorded.info].sort());
    return;
  }
  if (testCase.all !== undefined) {
    expect(findingLines(report, ['breaking', 'warning', 'info'])).toEqual([...testCase.all].sort());
    return;
  }
  expect(findingLines(report, ['breaking', 'warning'])).toEqual([...testCase.expected].sort());
  if (testCase.info !== undefined) expect(findingLines(report, ['info'])).toEqual([...testCase.info].sort());
}

describe.each(FORMATS)('drift corpus: %s fixtures', (format) => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const report = await checkCase(format, testCase.fixture, testCase.recordings);
    assertCase(report, testCase, format);
  });

  it('reports the JSON fields of a finding as the contract says (rename case)', async () => {
    const recordings = snakeToCamel.recordings.map((recording) => ({
      ...recording,
      body: { ...(recording.body as Record<string, unknown>), livemode: false },
    }));
    const prepared = await prepareCase(format, snakeToCamel.fixture, recordings);
    try {
      const first = await prepared.check();
      const second = await prepared.check();
      expect(findingLines(first, ['breaking', 'warning', 'info'])).toEqual([
        line('field-renamed', '$.user_id', '$.userId'),
        line('field-added', '$.livemode'),
      ]);
      expect(first.summary).toMatchObject({ fixtures: 1, verified: 1, unverified: 0, breaking: 1, warning: 0, info: 1 });

      const rename = first.findings.find((finding) => finding.kind === 'field-renamed')!;
      expect(rename.fixture).toBe(prepared.fixture.file);
      expect(rename.fixture).toMatch(/^fixtures\//);
      // HAR bodies are text inside a string: every body path is on that string's line.
      const fieldLine = format === 'har' ? lineContaining(prepared.fixture.text, '"text"') : lineContaining(prepared.fixture.text, '"user_id"');
      expect(rename.line).toBe(fieldLine);
      expect(rename.route).toBe('GET /v1/charges/:id');
      expect(rename.status).toBe(200);
      expect(rename.service).toBe('payments');
      expect(rename.severity).toBe('breaking');
      expect(rename.path).toBe('$.user_id');
      expect(rename.to).toBe('$.userId');
      expect(rename.evidence.recordings).toBe(recordings.length);
      expect(rename.evidence.matching).toBe(0);
      expect(rename.evidence.lastSeen).toBe(new Date(BASE_TIME + (recordings.length - 1) * HOUR).toISOString());
      expect(rename.message).toEqual(expect.any(String));

      for (const finding of first.findings) {
        if (finding.kind !== 'field-renamed') expect(finding).not.toHaveProperty('to');
        expect(finding.id).toMatch(/^[0-9a-f]{16}$/);
      }
      // Stable ids: the same drift in the same fixture keeps its id from one run to the next.
      expect(second.findings.map((finding) => [finding.kind, finding.id])).toEqual(first.findings.map((finding) => [finding.kind, finding.id]));
      expect(new Set(first.findings.map((finding) => finding.id)).size).toBe(first.findings.length);
    } finally {
      prepared.remove();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Pact only: literals without a matcher are pinned; matchers are honoured.
// ---------------------------------------------------------------------------------------------

const REFUND_FIXTURE: FixtureSpec = {
  service: 'payments',
  name: 'a refund of a charge',
  method: 'GET',
  path: '/v1/refunds/re_1NispeLkdIwHu7ix',
  status: 200,
  body: {
    id: 're_1NispeLkdIwHu7ix',
    object: 'refund',
    charge: 'ch_3MtwBwLkdIwHu7ix',
    amount: 1200,
    currency: 'eur',
    status: 'succeeded',
    reason: 'requested_by_customer',
  },
};

function refundRecordings(overrides: (i: number) => Record<string, unknown>): RecordingSpec[] {
  return ['re_1PqRsTLkdIwHu7ix', 're_1QrStULkdIwHu7ix', 're_1RsTuVLkdIwHu7ix', 're_1StUvWLkdIwHu7ix'].map((id, i) => ({
    method: 'GET',
    path: `/v1/refunds/${id}`,
    status: 200,
    body: {
      id,
      object: 'refund',
      charge: CHARGE_IDS[i]!,
      amount: [500, 1200, 75, 3300][i],
      currency: 'eur',
      status: 'succeeded',
      reason: 'requested_by_customer',
      ...overrides(i),
    },
  }));
}

describe('drift corpus: Pact matching rules and literal pinning', () => {
  it('a pinned literal that reality constantly answers otherwise is value-changed; varying ids are not', async () => {
    const report = await checkCase('pact', { ...REFUND_FIXTURE, pactBodyRules: {} }, refundRecordings(() => ({ status: 'SUCCEEDED' })));
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([line('value-changed', '$.status')]);
    const finding = report.findings.find((one) => one.kind === 'value-changed')!;
    expect(finding).toMatchObject({ expected: 'succeeded', actual: 'SUCCEEDED' });
  });

  it('pinned literals that match reality, or that vary in reality (id, charge, amount), give no finding', async () => {
    const report = await checkCase('pact', { ...REFUND_FIXTURE, pactBodyRules: {} }, refundRecordings(() => ({})));
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([]);
  });

  it('a violated regex matcher is value-changed', async () => {
    const rules = { $: { matchers: [{ match: 'type' }] }, '$.charge': { matchers: [{ match: 'regex', regex: 'ch_[A-Za-z0-9]+' }] } };
    const recordings = refundRecordings((i) => ({ charge: `py_${['3PqR7tLkdIwHu7ix', '1NqkZ2LkdIwHu7ix', '9XyzW3AbCdEf12gh', '2LmNoPqRsTuVwXy4'][i]}` }));
    const report = await checkCase('pact', { ...REFUND_FIXTURE, pactBodyRules: rules }, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([line('value-changed', '$.charge')]);
  });

  it('a regex matcher that reality satisfies gives no finding', async () => {
    const rules = { $: { matchers: [{ match: 'type' }] }, '$.charge': { matchers: [{ match: 'regex', regex: 'ch_[A-Za-z0-9]+' }] } };
    const report = await checkCase('pact', { ...REFUND_FIXTURE, pactBodyRules: rules }, refundRecordings(() => ({})));
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([]);
  });

  it('an integer matcher with decimals in reality is type-changed', async () => {
    const rules = { $: { matchers: [{ match: 'type' }] }, '$.amount': { matchers: [{ match: 'integer' }] } };
    const recordings = refundRecordings((i) => ({ amount: [12.5, 99.99, 7.25, 0.5][i] }));
    const report = await checkCase('pact', { ...REFUND_FIXTURE, pactBodyRules: rules }, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([line('type-changed', '$.amount')]);
    expect(report.findings.find((one) => one.kind === 'type-changed')).toMatchObject({ expected: 'integer', actual: 'decimal' });
  });
});
