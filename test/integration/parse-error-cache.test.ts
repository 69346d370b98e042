import { afterAll, describe, expect, it } from 'vitest';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, wsClient } from '../utils/gateway.ts';

/**
 * yoga's parse cache keeps a syntax error for every later request with the same text, and gives it its code
 * (GRAPHQL_PARSE_FAILED) and HTTP status only when the first parse ran inside an HTTP request. So whichever transport
 * parses a broken document first must not decide what the other one answers: a broken document first sent over
 * graphql-ws used to make the same document over HTTP answer 200 without a code.
 */
describe('a syntax error parsed first over graphql-ws', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('is answered over HTTP with its code and status, as if HTTP had parsed it first', async () => {
    const gw = await startGateway(disposer);
    const broken = '{ gateway { version } # parse-error-cache';
    const client = wsClient(disposer, gw);
    const failed = createDeferred<unknown>();
    client.subscribe({ query: broken }, { next: () => undefined, error: (error) => failed.resolve(error), complete: () => failed.resolve(null) });
    const wsError = (await failed.promise) as Array<{ message: string; extensions?: Record<string, unknown> }> | null;
    expect(Array.isArray(wsError) && wsError[0]?.message).toMatch(/^Syntax Error/);
    expect(wsError?.[0]?.extensions?.http).toBeUndefined();
    expect(wsError?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

    const response = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${KEYS.admin}` },
      body: JSON.stringify({ query: broken }),
    });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions?: Record<string, unknown> }> };
    expect(response.status).toBe(400);
    expect(body.errors[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
