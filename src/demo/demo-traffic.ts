/**
 * The requests `mockdrift demo` sends through the recording proxy: what the example app's
 * integration tests would send to the sandboxes, a few times each with varying ids.
 */
export interface DemoRequest {
  readonly service: 'payments' | 'warehouse';
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

export function demoTraffic(): DemoRequest[] {
  const requests: DemoRequest[] = [];
  for (let i = 0; i < 5; i++) {
    requests.push({ service: 'payments', method: 'POST', path: '/v1/charges', body: { amount: 1200 + i * 100, currency: 'eur', customer: `usr_88${10 + i}` } });
    requests.push({ service: 'payments', method: 'GET', path: `/v1/refunds/re_1Nispe${i}LkdIwHu7ix` });
    requests.push({ service: 'warehouse', method: 'GET', path: `/api/v1/shipments/SHIP${101 + i}` });
  }
  for (let i = 0; i < 6; i++) requests.push({ service: 'payments', method: 'GET', path: `/v1/customers/cus_NffrFeUf${i}V2Hib` });
  for (let i = 0; i < 3; i++) requests.push({ service: 'payments', method: 'POST', path: '/v1/customers', body: { email: `user${i}@example.com`, name: `User ${i}` } });
  for (const q of ['widget', 'gadget', 'bolt']) requests.push({ service: 'warehouse', method: 'GET', path: `/api/v1/stock/search?q=${q}` });
  for (const id of ['SHIP101', 'SHIP102']) requests.push({ service: 'warehouse', method: 'GET', path: `/api/v1/shipments/${id}/label` });
  requests.push({ service: 'warehouse', method: 'GET', path: '/api/v1/shipments/UNKNOWN999' });
  return requests;
}
