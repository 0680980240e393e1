/** One recorded answer at a fixed time, for stores whose shapes change at a known moment. */
export interface TimedAnswer {
  /** ISO 8601 time of the recording. */
  readonly at: string;
  readonly body: unknown;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
}

/**
 * A HAR 1.2 document of JSON answers recorded at the given times, as `mockdrift import` reads
 * it: the times are the entries' `startedDateTime`, so a store gets exactly these times.
 */
export function timedHar(answers: readonly TimedAnswer[], host = 'http://127.0.0.1:9'): unknown {
  return {
    log: {
      version: '1.2',
      creator: { name: 'mockdrift-tests', version: '1' },
      entries: answers.map((answer) => {
        const text = JSON.stringify(answer.body);
        return {
          startedDateTime: answer.at,
          time: 5,
          request: {
            method: answer.method ?? 'GET',
            url: `${host}${answer.path ?? '/v1/charges/ch_100'}`,
            httpVersion: 'HTTP/1.1',
            headers: [{ name: 'accept', value: 'application/json' }],
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: answer.status ?? 200,
            statusText: 'OK',
            httpVersion: 'HTTP/1.1',
            headers: [{ name: 'content-type', value: 'application/json' }],
            cookies: [],
            content: { size: text.length, mimeType: 'application/json', text },
            redirectURL: '',
            headersSize: -1,
            bodySize: text.length,
          },
          cache: {},
          timings: { send: 0, wait: 5, receive: 0 },
        };
      }),
    },
  };
}

/** `count` times an hour apart from `start` (ISO), as ISO strings. */
export function hourly(start: string, count: number): string[] {
  const from = Date.parse(start);
  return Array.from({ length: count }, (_, i) => new Date(from + i * 3_600_000).toISOString());
}
