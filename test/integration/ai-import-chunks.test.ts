import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { simAiTaskFields, startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * addTaskNumbers on an AI task sends `POST /v1/task/import_task_customer/{id}` in chunks of 10 000 numbers
 * (AI_IMPORT_CHUNK_SIZE in src/schema/task-numbers.ts): 25 000 numbers are exactly three requests of 10 000, 10 000
 * and 5 000, in order, as the simulator receives them.
 */

const IMPORT = 'POST /v1/task/import_task_customer/{id}';
const ADD = `mutation($input: AddTaskNumbersInput!) {
  addTaskNumbers(input: $input) {
    __typename
    ... on AddTaskNumbersPayload { outcome acceptedCount rejectedCount upstreamCalls }
    ... on Error { code message }
  }
}`;

/** n distinct valid mobiles, deterministic: 13900000000, 13900000001, … */
const mobiles = (n: number) => Array.from({ length: n }, (_, i) => `139${String(i).padStart(8, '0')}`);

describe('AI-task number import chunks', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { seed: 3, now: () => Date.parse('2024-03-15T06:00:00Z') } });
  });
  afterAll(() => disposer.dispose());

  it('sends 25 000 numbers as three imports of 10 000, 10 000 and 5 000', { timeout: 60_000 }, async () => {
    const state = gw.sim.aicall.state;
    const task = state.createTask(simAiTaskFields(gw.sim, '分批导入'));
    const chunks: string[][] = [];
    disposer.add(state.events.on('customersImported', ({ customers }) => chunks.push(customers.map((c) => c.phone))));
    const phones = mobiles(25_000);
    gw.sim.stats.reset();

    const result = await gw.gql(ADD, { input: { taskId: encodeGlobalID('AiTask', task.uuid), numbersCsv: ['phone', ...phones].join('\n') } }, 'operator');

    expect(result.errors).toBeUndefined();
    expect(result.data?.addTaskNumbers).toEqual({
      __typename: 'AddTaskNumbersPayload',
      outcome: 'COMPLETE',
      acceptedCount: 25_000,
      rejectedCount: 0,
      upstreamCalls: 3,
    });
    expect(gw.sim.stats.snapshot()).toEqual({ [IMPORT]: 3 });
    expect(chunks.map((chunk) => chunk.length)).toEqual([10_000, 10_000, 5_000]);
    expect(chunks.map((chunk) => [chunk[0], chunk.at(-1)])).toEqual([
      ['13900000000', '13900009999'],
      ['13900010000', '13900019999'],
      ['13900020000', '13900024999'],
    ]);
    expect(state.getTask(task.uuid)?.customers.map((c) => c.phone)).toEqual(phones);
  });
});
