import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * AiTask.statistics: calls, answers, talk time and outcome labels counted from the AI-call platform's hang-up
 * notifications as they are stored, each once (a repeated notification is a duplicate, and counts nothing more).
 */

const SECRET = 'ai-statistics-callback-secret-001';
const QUERY = /* GraphQL */ `
  query($id: ID!, $w: StatisticsWindowInput) {
    node(id: $id) { ... on AiTask { statistics(window: $w) { calls answered answerRatePercent talkSeconds averageTalkSeconds outcomes { outcome calls } window { from to } } } }
  }
`;

describe('AI task statistics from hang-up notifications', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let tasks: string[] = [];

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { dialerTuning: { adoptLiveCalls: false } }, env: { CALLBACK_SECRET: SECRET } });
    // A task of the demo platform for each test (tests run in any order).
    tasks = [...gw.sim.aicall.state.tasks.values()].map((t) => t.uuid);
  });
  afterAll(() => disposer.dispose());

  const notify = async (uuid: string, n: number, answered: boolean, outcome: string, minute = 0) => {
    const start = `2026-03-02 10:${String(minute).padStart(2, '0')}:00`;
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/aicall-notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        task_uuid: uuid,
        call_uuid: `${uuid}-stat-${n}`,
        phone: `1380000${String(1000 + n)}`,
        start_stamp: start,
        ...(answered ? { answer_stamp: start.replace(/:00$/, ':05'), billsec: 20 + n } : { billsec: 0 }),
        end_stamp: start.replace(/:00$/, ':50'),
        hangup_cause: answered ? 'NORMAL_CLEARING' : 'NO_ANSWER',
        intention: outcome,
      }),
    });
    expect(response.status).toBe(200);
  };

  const stats = async (uuid: string, w?: { from: string; to: string }) => {
    const result = await gw.gql(QUERY, { id: encodeGlobalID('AiTask', uuid), w: w ?? { from: '2026-03-02T09:00:00+08:00', to: '2026-03-02T12:00:00+08:00' } });
    expect(result.errors).toBeUndefined();
    return result.data?.node.statistics;
  };

  it('counts each call once, in its window, with its outcome label', async () => {
    const uuid = tasks[0] as string;
    await notify(uuid, 1, true, 'A');
    await notify(uuid, 2, true, 'A', 30);
    await notify(uuid, 3, false, 'D', 31);
    await notify(uuid, 1, true, 'A'); // the platform repeating itself: a duplicate
    const all = await stats(uuid);
    expect(all).toMatchObject({ calls: 3, answered: 2, answerRatePercent: 66.67, talkSeconds: 21 + 22, averageTalkSeconds: 21.5 });
    expect(all.outcomes).toEqual([{ outcome: 'A', calls: 2 }, { outcome: 'D', calls: 1 }]);
    // A window of the first quarter hour holds the first call only (outcome labels are all-time).
    const first = await stats(uuid, { from: '2026-03-02T10:00:00+08:00', to: '2026-03-02T10:15:00+08:00' });
    expect(first).toMatchObject({ calls: 1, answered: 1, talkSeconds: 21 });
  });

  it('keeps at most 50 labels per task: 49 as sent, later new ones as (other)', async () => {
    const uuid = tasks[1] as string;
    for (let i = 0; i < 55; i++) await notify(uuid, 100 + i, false, `label-${i}`, 40);
    await notify(uuid, 200, false, 'label-3', 41);
    const { outcomes } = await stats(uuid);
    expect(outcomes).toHaveLength(50);
    expect(outcomes.find((o: { outcome: string }) => o.outcome === '(other)')?.calls).toBe(6);
    expect(outcomes.find((o: { outcome: string }) => o.outcome === 'label-3')?.calls).toBe(2);
  });
});
