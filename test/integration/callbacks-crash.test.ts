import { afterAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createSimulator } from '../../src/simulator/server.ts';
import { createDatabase } from '../../src/store/index.ts';
import { CALL_RECORD_COMMON, EXTENSION_STATUS_COMMON, TASK_STATUS } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { spawnGateway } from '../utils/spawn-gateway.ts';
import { describeEachBackend } from '../utils/store-backends.ts';

/**
 * "Nothing acknowledged is lost": the gateway runs as a real process; a burst of distinct callbacks goes in
 * concurrently, and the process is SIGKILLed the moment the 200th 2xx arrives, with the rest still in flight. Every
 * callback that got a 2xx must then be in the database, and a restart must settle whatever the kill interrupted.
 */

const SECRET = 'crash-secret-0123456789';
const BURST = 300;
const KILL_AT = 200;
const T0 = 1_700_000_000;

interface Sent {
  kind: string;
  /** What identifies it in the stored payload. */
  marker: string;
  body: Record<string, unknown>;
}

function burst(): Sent[] {
  return [...Array(BURST)].map((_, i): Sent => {
    switch (i % 4) {
      case 0:
        return {
          kind: 'extension-status',
          marker: `crash-${i}`,
          body: { ...EXTENSION_STATUS_COMMON, extnumber: `6${i % 20}`, uuid: `crash-${i}`, starttime: String(T0 + i) },
        };
      case 1:
        return { kind: 'call-record', marker: `crash-rec-${i}`, body: { ...CALL_RECORD_COMMON, id: 100_000 + i, uuid: `crash-rec-${i}` } };
      case 2:
        return { kind: 'aicall-notify', marker: `crash-ai-${i}`, body: { task_uuid: 'crash', call_uuid: `crash-ai-${i}` } };
      default:
        return { kind: 'task-status', marker: `crash-task-${i}`, body: { ...TASK_STATUS, taskid: `crash-task-${i}` } };
    }
  });
}

function encode(sent: Sent, i: number): { body: FormData | URLSearchParams | string; headers: Record<string, string> } {
  const detail = JSON.stringify(sent.body);
  if (i % 3 === 0) {
    const form = new FormData();
    form.set('detail', detail);
    return { body: form, headers: {} };
  }
  if (i % 3 === 1) return { body: new URLSearchParams({ detail }), headers: {} };
  return { body: detail, headers: { 'content-type': 'application/json' } };
}

function markerOf(event: AnyGatewayEventLike): unknown {
  const p = event.payload;
  switch (event.topic) {
    case 'agent-status':
      return p.callUuid;
    case 'call-record':
      return p.uuid;
    case 'aicall-notify':
      return p.callId;
    default:
      return p.taskId;
  }
}
type AnyGatewayEventLike = { topic: string; payload: Record<string, unknown> };

describeEachBackend('a gateway killed mid-burst ($name)', (backend) => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('has stored every callback it acknowledged, and settles the interrupted ones on restart', { timeout: 60_000 }, async () => {
    const sim = disposer.use(createSimulator({}), (s) => s.stop());
    const simUrl = await sim.start(0, '127.0.0.1');
    const database = await backend.create();
    disposer.add(() => database.dispose());
    const env = {
      SIP_API_URL: simUrl,
      SIP_APPID: sim.credentials.appId,
      SIP_ACCESSKEY: sim.credentials.accessKey,
      GATEWAY_AUTH: 'off',
      CALLBACK_SECRET: SECRET,
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    };

    const { child, url: base, exited } = await spawnGateway(disposer, env);

    const sent = burst();
    const acked: Array<{ sent: Sent; id: number }> = [];
    let killedAfter = -1;
    const started = performance.now();
    const results = await Promise.allSettled(
      sent.map(async (s, i) => {
        const { body, headers } = encode(s, i);
        const response = await fetch(`${base}/callbacks/${SECRET}/${s.kind}`, { method: 'POST', body, headers });
        const answer = (await response.json()) as { ok?: boolean; id?: number };
        if (response.status !== 200 || typeof answer.id !== 'number') throw new Error(`answered ${response.status}`);
        acked.push({ sent: s, id: answer.id });
        if (acked.length === KILL_AT) {
          killedAfter = performance.now() - started;
          child.kill('SIGKILL');
        }
      }),
    );
    expect((await exited).signal).toBe('SIGKILL');
    expect(killedAfter).toBeGreaterThan(0);
    // Requests cut by the kill fail; none may have failed any other way.
    const refused = results.filter((r) => r.status === 'rejected' && /answered/.test(String((r as PromiseRejectedResult).reason)));
    expect(refused).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AT);

    // Every acknowledged callback is in the database, as the event it was acknowledged with.
    const store = await createDatabase(database.url);
    try {
      for (const { sent: s, id } of acked) {
        const event = await store.events.get(id);
        expect(event, `event ${id} for ${s.marker}`).not.toBeNull();
        expect(markerOf(event as unknown as AnyGatewayEventLike)).toBe(s.marker);
      }
      expect(new Set(acked.map((a) => a.id)).size).toBe(acked.length);
    } finally {
      await store.close();
    }

    // A restart settles what the kill left pending (stored, not yet projected), before it serves.
    const config = loadConfig(env);
    const app = disposer.use(await buildApp(config, createLogger('silent')), (a) => a.stop());
    const { store: restarted } = app.services;
    expect(await restarted.events.pending(0, 1000)).toEqual([]);
    const agentEvents = await restarted.events.eventsAfter('agent-status', 0, {}, 1000);
    expect(agentEvents.length).toBeGreaterThanOrEqual(acked.filter((a) => a.sent.kind === 'extension-status').length);
    // Each extension with stored events is in the state of its latest call (start times grow with i).
    const subjects = [...new Set(agentEvents.map((e) => e.subject ?? ''))].sort();
    expect(subjects.length).toBeGreaterThan(0);
    for (const subject of subjects) {
      const [first, ...rest] = agentEvents.filter((e) => e.subject === subject);
      const latest = rest.reduce((best, e) => (e.payload.callStartedAt > best!.payload.callStartedAt ? e : best), first);
      expect((await restarted.agentStatus.get(subject))?.call.uuid, `extension ${subject}`).toBe(latest!.payload.callUuid);
    }
  });
});
