import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway } from '../utils/gateway.ts';

/**
 * Tracing off (the default) costs nothing: the OpenTelemetry SDK side (src/observability/tracing-sdk.ts, the one
 * module that imports the SDK, the plugin and the span makers) is never imported, so no OpenTelemetry module is loaded,
 * no plugin or observer is installed and no context manager exists. The module is watched through vi.mock: its factory
 * runs only if something imports it. (The production bundle's side: test/integration/startup-modules.test.ts.)
 */

const watched = vi.hoisted(() => ({ imports: 0 }));
vi.mock('../../src/observability/tracing-sdk.ts', async (importOriginal) => {
  watched.imports += 1;
  return importOriginal();
});

const SECRET = 'trace-off-secret-0123456789';

describe('tracing off', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('loads no tracing module through a query, a mutation-free callback and a WebSocket-free run; on, it does', async () => {
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    expect(gw.app.telemetry.tracing).toBeNull();
    expect((await gw.gql('{ agents(first: 2) { edges { node { extension callStatus { state } } } } }')).errors).toBeUndefined();
    const callback = await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, extnumber: '7401', uuid: 'off-1' }),
    });
    expect(callback.status).toBe(200);
    expect(watched.imports).toBe(0);

    // The control: the same watch sees the module once tracing is on (an OTLP endpoint nobody listens on is enough).
    const on = await startGateway(disposer, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
    expect(on.app.telemetry.tracing).not.toBeNull();
    expect(watched.imports).toBe(1);
  });
});
