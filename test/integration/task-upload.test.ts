import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AcceptedNumber,
  type NumberEntry,
  NumberRejectionReason as R,
  PhoneNumberKind,
  type PreparedTaskNumbers,
  prepareTaskNumbers,
} from '../../src/domain/phone-numbers.ts';
import { type TaskUploadResult, UploadOutcome, uploadTaskNumbers } from '../../src/domain/task-upload.ts';
import { ErrorCode, InvalidInputError, SipBusinessError, SipRequestError } from '../../src/errors.ts';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { TaskStatus } from '../../src/simulator/sip/model.ts';
import { createUpstreamHttp } from '../../src/upstream/http.ts';
import { type SipClient, createSipClient } from '../../src/upstream/sip/client.ts';
import { AssignType, MAX_NUMBERS_PER_CALL, SipCode, SipRet, SipService } from '../../src/upstream/sip/codes.ts';
import type { TaskCreate, TaskNumber } from '../../src/upstream/sip/types.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { createDisposer } from '../utils/disposer.ts';

/** 2024-03-15 14:00:00 in Shanghai. */
const START = Date.parse('2024-03-15T06:00:00Z');
const DIAL_AFTER = new Date('2024-03-16T01:00:00Z');

const disposer = createDisposer();
const clock = START;
let sim: Simulator;
let sip: SipClient;
let queue: string;

beforeAll(async () => {
  sim = createSimulator({ seed: 5, now: () => clock });
  const url = await sim.start(0, '127.0.0.1');
  disposer.add(() => sim.stop());
  const http = createUpstreamHttp({ connectTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxConnections: 2 });
  disposer.add(() => http.close());
  sip = createSipClient({
    http,
    url,
    appId: sim.credentials.appId,
    accessKey: sim.credentials.accessKey,
    time: createZonedTime('Asia/Shanghai'),
    now: () => clock,
  });
  const first = [...sim.sip.queues.keys()][0];
  if (!first) throw new Error('the demo data has no queue');
  queue = first;
});

afterAll(() => disposer.dispose());

beforeEach(() => {
  sim.stats.reset();
});

afterEach(() => {
  sim.control.reset();
});

const settings = (assignee = queue): Omit<TaskCreate, 'numbers'> => ({
  assignType: AssignType.Queue,
  assignee,
  pacing: { agents: 1, calls: 2 },
  name: 'upload test',
});

/** A new task on the simulator through the real client. */
const creating = (assignee?: string) => ({
  create: (numbers: readonly TaskNumber[]) => sip.createTask({ ...settings(assignee), numbers }),
});

const count = (service: SipService) => sim.stats.count(service);
const taskOf = (result: TaskUploadResult) => {
  if (result.taskId === null) throw new Error('no task');
  const task = sim.sip.tasks.get(result.taskId);
  if (!task) throw new Error(`the simulator has no task ${result.taskId}`);
  return task;
};

/** The invariant of every upload: each input entry reported once, accepted or rejected. */
function expectEveryEntryOnce(result: TaskUploadResult, length: number): void {
  expect(result.accepted.length + result.rejected.length).toBe(length);
  const indices = [...result.accepted, ...result.rejected].map((n) => n.index).sort((a, b) => a - b);
  expect(indices).toEqual(Array.from({ length }, (_, i) => i));
}

const INVALID: Array<[phone: string, reason: R]> = [
  ['abc', R.NotANumber],
  ['1381234567', R.TooShort],
  ['95588', R.ServiceNumber],
  ['88888888', R.MissingAreaCode],
  ['+1 415 555 0100', R.InvalidPrefix],
  ['', R.Empty],
  ['010-88888888-123', R.TooLong],
];

interface BigList {
  entries: NumberEntry[];
  /** index → expected reason */
  invalid: Map<number, R>;
  /** index → index of the first entry with that number */
  duplicates: Map<number, number>;
}

/** 25 000 entries: mostly unique mobile numbers in assorted formats, some invalid, some repeating an earlier one. */
function bigList(length = 25_000): BigList {
  const entries: NumberEntry[] = [];
  const invalid = new Map<number, R>();
  const duplicates = new Map<number, number>();
  const phoneOf = (i: number) => String(13_800_000_000 + i);
  for (let i = 0; i < length; i++) {
    if (i % 997 === 13) {
      const [phone, reason] = INVALID[invalid.size % INVALID.length] ?? ['', R.Empty];
      entries.push({ phone });
      invalid.set(i, reason);
      continue;
    }
    const earlier = i - 7;
    if (i % 1009 === 500 && earlier % 997 !== 13) {
      entries.push({ phone: `+86 ${phoneOf(earlier).replace(/(\d{3})(\d{4})(\d{4})/, '$1-$2-$3')}` });
      duplicates.set(i, earlier);
      continue;
    }
    const digits = phoneOf(i);
    const phone = i % 3 === 0 ? digits : i % 3 === 1 ? `${digits.slice(0, 3)} ${digits.slice(3)}` : `+86${digits}`;
    entries.push({
      phone,
      userId: `u${i}`,
      customerId: `c${i}`,
      ...(i % 2 === 0 ? { dialAfter: DIAL_AFTER, maturity: 'A' } : {}),
    });
  }
  return { entries, invalid, duplicates };
}

describe('uploadTaskNumbers against the simulator', () => {
  it('creates a task with 25 000 numbers: 1 TaskCreat + 2 TaskAdd, every entry accounted for', async () => {
    const list = bigList();
    const prepared = prepareTaskNumbers(list.entries);
    const valid = list.entries.length - list.invalid.size - list.duplicates.size;
    expect(valid).toBeGreaterThan(2 * MAX_NUMBERS_PER_CALL);
    expect(prepared.accepted).toHaveLength(valid);

    const result = await uploadTaskNumbers(prepared, { destination: creating(), add: sip.addTaskNumbers });

    expect(result.outcome).toBe(UploadOutcome.Complete);
    expect(result.failure).toBeNull();
    expect(count(SipService.TaskCreate)).toBe(1);
    expect(count(SipService.TaskAdd)).toBe(2);
    expect(result.calls).toEqual([
      { operation: SipService.TaskCreate, chunk: 0, sent: 10_000, refused: 0, platformAccepted: null },
      { operation: SipService.TaskAdd, chunk: 1, sent: 10_000, refused: 0, platformAccepted: 10_000 },
      { operation: SipService.TaskAdd, chunk: 2, sent: valid - 20_000, refused: 0, platformAccepted: valid - 20_000 },
    ]);
    expect(result.anomalies).toEqual([]);

    expectEveryEntryOnce(result, list.entries.length);
    expect(result.accepted).toHaveLength(valid);
    expect(result.rejected).toHaveLength(list.invalid.size + list.duplicates.size);
    for (const rejected of result.rejected) {
      const reason = list.invalid.get(rejected.index);
      if (reason) {
        expect(rejected).toMatchObject({ reason, input: list.entries[rejected.index]?.phone });
      } else {
        const duplicateOf = list.duplicates.get(rejected.index);
        expect(rejected).toMatchObject({ reason: R.DuplicateInRequest, duplicateOf });
      }
    }

    // The numbers are on the simulator's task, normalised, with their fields, in the caller's order.
    const task = taskOf(result);
    expect(task.assignAgent).toBe(queue);
    expect(task.numbers.map((n) => n.phone)).toEqual(result.accepted.map((a) => a.entry.phone));
    expect(new Set(task.numbers.map((n) => n.phone)).size).toBe(valid);
    const byPhone = new Map(task.numbers.map((n) => [n.phone, n]));
    expect(byPhone.get('13800000002')).toMatchObject({
      time: DIAL_AFTER.getTime() / 1000,
      userid: 'u2',
      customuuid: 'c2',
      chengshudu: 'A',
    });
    expect(byPhone.get('13800024001')).toMatchObject({ time: clock / 1000, userid: 'u24001', chengshudu: '' });
  });

  it('adds 25 000 numbers to an existing task with TaskAdd only', async () => {
    const created = await sip.createTask({ ...settings(), numbers: [{ phone: '13900000000' }] });
    sim.stats.reset();
    const list = bigList();
    const result = await uploadTaskNumbers(prepareTaskNumbers(list.entries), {
      destination: { taskId: created.taskId },
      add: sip.addTaskNumbers,
    });
    expect(result.outcome).toBe(UploadOutcome.Complete);
    expect(count(SipService.TaskCreate)).toBe(0);
    expect(count(SipService.TaskAdd)).toBe(3);
    expectEveryEntryOnce(result, list.entries.length);
    expect(taskOf(result).numbers).toHaveLength(1 + result.accepted.length);
  });

  it('stops at a TaskAdd that fails (ret 500): accepted so far, NOT_SENT for that chunk and the rest', async () => {
    const list = bigList();
    sim.control.failNext(1, { ret: SipRet.ServerError, msg: 'disk full' }, SipService.TaskAdd);

    const result = await uploadTaskNumbers(prepareTaskNumbers(list.entries), {
      destination: creating(),
      add: sip.addTaskNumbers,
    });

    expect(result.outcome).toBe(UploadOutcome.Partial);
    expect(count(SipService.TaskCreate)).toBe(1);
    expect(count(SipService.TaskAdd)).toBe(1);
    expectEveryEntryOnce(result, list.entries.length);
    expect(result.error).toBeInstanceOf(SipRequestError);
    expect(result.failure).toMatchObject({
      operation: SipService.TaskAdd,
      chunk: 1,
      code: ErrorCode.UpstreamUnavailable,
      upstreamCode: '500',
      uncertain: true,
    });

    expect(result.accepted).toHaveLength(10_000);
    expect(taskOf(result).numbers.map((n) => n.phone)).toEqual(result.accepted.map((a) => a.entry.phone));
    const notSent = result.rejected.filter((r) => r.reason === R.NotSent);
    const valid = list.entries.length - list.invalid.size - list.duplicates.size;
    expect(notSent).toHaveLength(valid - 10_000);
    // The chunk that failed may have reached the platform; the chunks after it were never sent.
    expect(notSent.filter((r) => r.uncertain)).toHaveLength(10_000);
    expect(notSent.filter((r) => !r.uncertain)).toHaveLength(valid - 20_000);
    expect(notSent[0]).toMatchObject({ error: { code: ErrorCode.UpstreamUnavailable, upstreamCode: '500' } });
    // The message is the gateway's own (src/redact.ts): the platform's text ("disk full") stays out of it.
    expect(notSent[0]?.error?.message).toMatch(/ret 500 \(server error\)/);
    expect(notSent[0]?.error?.message).not.toContain('disk full');
    // Every accepted index comes before every NOT_SENT one: chunks follow the caller's order.
    const lastAccepted = Math.max(...result.accepted.map((a) => a.index));
    expect(Math.min(...notSent.map((r) => r.index))).toBeGreaterThan(lastAccepted);
  });

  it('stops at the second TaskAdd when the platform refuses it (task over): certain NOT_SENT', async () => {
    const entries = Array.from({ length: 3_500 }, (_, i) => ({ phone: String(13_700_000_000 + i) }));
    const prepared = prepareTaskNumbers(entries);
    let taskId = '';
    const result = await uploadTaskNumbers(prepared, {
      destination: {
        create: async (numbers) => {
          const created = await sip.createTask({ ...settings(), numbers });
          taskId = created.taskId;
          return created;
        },
      },
      add: async (id, numbers) => {
        const added = await sip.addTaskNumbers(id, numbers);
        // Someone ends the task between two calls.
        sim.sip.setTaskStatus(taskId, TaskStatus.Over);
        return added;
      },
      chunkSize: 1_000,
    });

    expect(result.outcome).toBe(UploadOutcome.Partial);
    expect(count(SipService.TaskCreate)).toBe(1);
    expect(count(SipService.TaskAdd)).toBe(2);
    expectEveryEntryOnce(result, 3_500);
    expect(result.accepted).toHaveLength(2_000);
    expect(result.error).toBeInstanceOf(SipBusinessError);
    expect(result.failure).toMatchObject({ chunk: 2, upstreamCode: String(SipCode.TaskOver), uncertain: false });
    expect(result.rejected).toHaveLength(1_500);
    expect(result.rejected.every((r) => r.reason === R.NotSent && r.uncertain === false)).toBe(true);
    expect(result.rejected[0]).toMatchObject({
      index: 2_000,
      error: { code: ErrorCode.UpstreamRejected, upstreamCode: String(SipCode.TaskOver) },
    });
    expect(taskOf(result).numbers).toHaveLength(2_000);
  });

  it('reports no task when TaskCreat is refused (unknown queue): nothing sent, a typed error', async () => {
    const tasksBefore = sim.sip.tasks.size;
    const entries = [{ phone: '13812345678' }, { phone: 'x' }, { phone: '13912345678' }];
    const result = await uploadTaskNumbers(prepareTaskNumbers(entries), {
      destination: creating('no-such-queue'),
      add: sip.addTaskNumbers,
    });

    expect(result.outcome).toBe(UploadOutcome.TaskNotCreated);
    expect(result.taskId).toBeNull();
    expect(sim.sip.tasks.size).toBe(tasksBefore);
    expect(count(SipService.TaskAdd)).toBe(0);
    expect(result.error).toBeInstanceOf(SipBusinessError);
    expect(result.failure).toMatchObject({
      operation: SipService.TaskCreate,
      code: ErrorCode.UpstreamRejected,
      upstreamCode: String(SipCode.IllegalQueue),
      uncertain: false,
    });
    expectEveryEntryOnce(result, 3);
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, R.NotSent],
      [1, R.NotANumber],
      [2, R.NotSent],
    ]);
  });

  it('reports no task when TaskCreat fails with ret 500, and marks its chunk uncertain', async () => {
    sim.control.failNext(1, { ret: SipRet.ServerError }, SipService.TaskCreate);
    const entries = Array.from({ length: 25 }, (_, i) => ({ phone: String(13_600_000_000 + i) }));
    const result = await uploadTaskNumbers(prepareTaskNumbers(entries), {
      destination: creating(),
      add: sip.addTaskNumbers,
      chunkSize: 10,
    });
    expect(result.outcome).toBe(UploadOutcome.TaskNotCreated);
    expect(count(SipService.TaskCreate)).toBe(1);
    expect(count(SipService.TaskAdd)).toBe(0);
    expectEveryEntryOnce(result, 25);
    expect(result.rejected.filter((r) => r.uncertain).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.rejected.every((r) => r.reason === R.NotSent)).toBe(true);
  });

  it('maps numbers the platform refuses back to the caller entries, in TaskCreat and in TaskAdd', async () => {
    // The platform's own rule (5–20 digits) is looser than ours, so entries that bypass prepareTaskNumbers stand in
    // for what a real platform may refuse.
    const prepared = prepareTaskNumbers([
      { phone: '13812345678' },
      { phone: '13812345679' },
      { phone: '13812345680' },
      { phone: '13812345681' },
    ]);
    const sneak = (index: number, phone: string): AcceptedNumber => ({
      index,
      input: phone,
      entry: { phone, userId: `sneaky-${index}` },
      kind: PhoneNumberKind.Mobile,
    });
    const withRefusals: PreparedTaskNumbers = {
      accepted: [
        ...prepared.accepted.slice(0, 1),
        sneak(4, '12ab'),
        ...prepared.accepted.slice(1, 3),
        sneak(5, '1234'),
        sneak(6, '9'.repeat(21)),
        ...prepared.accepted.slice(3),
      ],
      rejected: [],
    };

    const result = await uploadTaskNumbers(withRefusals, {
      destination: creating(),
      add: sip.addTaskNumbers,
      chunkSize: 3,
    });

    expect(result.outcome).toBe(UploadOutcome.Complete);
    expect(count(SipService.TaskCreate)).toBe(1);
    expect(count(SipService.TaskAdd)).toBe(2);
    expectEveryEntryOnce(result, 7);
    expect(result.accepted.map((a) => a.index)).toEqual([0, 1, 2, 3]);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        index: 4,
        input: '12ab',
        reason: R.RefusedByPlatform,
        platformDetail: expect.objectContaining({ phone: '12ab', userid: 'sneaky-4' }),
      }),
      expect.objectContaining({ index: 5, reason: R.RefusedByPlatform }),
      expect.objectContaining({ index: 6, reason: R.RefusedByPlatform }),
    ]);
    expect(result.calls.map((c) => [c.operation, c.sent, c.refused, c.platformAccepted])).toEqual([
      [SipService.TaskCreate, 3, 1, null],
      [SipService.TaskAdd, 3, 2, 1],
      [SipService.TaskAdd, 1, 0, 1],
    ]);
    expect(result.anomalies).toEqual([]);
    expect(taskOf(result).numbers.map((n) => n.phone)).toEqual([
      '13812345678',
      '13812345679',
      '13812345680',
      '13812345681',
    ]);
  });
});

describe('uploadTaskNumbers with stand-in functions', () => {
  const accepted = (phones: string[]): PreparedTaskNumbers => prepareTaskNumbers(phones.map((phone) => ({ phone })));

  it('does not create a task without a valid number', async () => {
    let calls = 0;
    const result = await uploadTaskNumbers(prepareTaskNumbers([{ phone: 'x' }, { phone: '' }]), {
      destination: {
        create: async () => {
          calls++;
          return { taskId: 't', refused: [] };
        },
      },
      add: async () => {
        calls++;
        return { accepted: 0, refused: [] };
      },
    });
    expect(calls).toBe(0);
    expect(result.outcome).toBe(UploadOutcome.TaskNotCreated);
    expect(result.error).toBeInstanceOf(InvalidInputError);
    expect(result.failure).toMatchObject({ code: ErrorCode.InvalidInput, uncertain: false });
    expectEveryEntryOnce(result, 2);
  });

  it('adds nothing to an existing task without a valid number, and says so as complete', async () => {
    const result = await uploadTaskNumbers(prepareTaskNumbers([{ phone: 'x' }]), {
      destination: { taskId: 't1' },
      add: async () => {
        throw new Error('must not be called');
      },
    });
    expect(result).toMatchObject({ outcome: UploadOutcome.Complete, taskId: 't1', calls: [] });
    expectEveryEntryOnce(result, 1);
  });

  it('matches refusals echoed as bare numbers, even with the leading zero lost; keeps the unmatched ones', async () => {
    const prepared = accepted(['01088888888', '13812345678', '02161234567']);
    const result = await uploadTaskNumbers(prepared, {
      destination: { taskId: 't1' },
      add: async () => ({
        accepted: 2,
        refused: [
          { phone: '1088888888', raw: 1088888888 },
          { phone: null, raw: { reason: 'bad' } },
          { phone: '15500000000', raw: '15500000000' },
        ],
      }),
    });
    expect(result.outcome).toBe(UploadOutcome.Complete);
    expectEveryEntryOnce(result, 3);
    expect(result.rejected).toEqual([
      expect.objectContaining({ index: 0, reason: R.RefusedByPlatform, platformDetail: 1088888888 }),
    ]);
    expect(result.anomalies).toEqual([
      { kind: 'UNMATCHED_REFUSAL', chunk: 0, refused: { phone: null, raw: { reason: 'bad' } } },
      { kind: 'UNMATCHED_REFUSAL', chunk: 0, refused: { phone: '15500000000', raw: '15500000000' } },
    ]);
  });

  it('notes a TaskAdd success count that does not add up', async () => {
    const result = await uploadTaskNumbers(accepted(['13812345678', '13912345678']), {
      destination: { taskId: 't1' },
      add: async () => ({ accepted: 1, refused: [] }),
    });
    expect(result.anomalies).toEqual([{ kind: 'COUNT_MISMATCH', chunk: 0, expected: 2, platformAccepted: 1 }]);
    expect(result.accepted).toHaveLength(2);
  });

  it('masks an error that is not the gateway\'s and keeps it for the log', async () => {
    const bug = new TypeError('secret internals');
    const result = await uploadTaskNumbers(accepted(['13812345678', '13912345678', '13712345678']), {
      destination: { create: async () => ({ taskId: 't9', refused: [] }) },
      add: async () => {
        throw bug;
      },
      chunkSize: 1,
    });
    expect(result.outcome).toBe(UploadOutcome.Partial);
    expect(result.taskId).toBe('t9');
    expect(result.error).toBe(bug);
    expect(result.failure).toMatchObject({ code: 'INTERNAL', message: 'unexpected error', chunk: 1, uncertain: true });
    expect(result.rejected.map((r) => [r.index, r.uncertain])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(JSON.stringify(result.rejected)).not.toContain('secret');
  });

  it('sends chunks one at a time, in order, of the size asked', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    const phones = Array.from({ length: 10 }, (_, i) => String(13_500_000_000 + i));
    await uploadTaskNumbers(accepted(phones), {
      destination: {
        create: async (numbers) => {
          sizes.push(numbers.length);
          return { taskId: 't', refused: [] };
        },
      },
      add: async (_id, numbers) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await Promise.resolve();
        sizes.push(numbers.length);
        inFlight--;
        return { accepted: numbers.length, refused: [] };
      },
      chunkSize: 4,
    });
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('refuses a chunk size the platform cannot take', async () => {
    const options = { destination: { taskId: 't' }, add: async () => ({ accepted: 0, refused: [] }) };
    for (const chunkSize of [0, 1.5, MAX_NUMBERS_PER_CALL + 1]) {
      await expect(uploadTaskNumbers(accepted(['13812345678']), { ...options, chunkSize })).rejects.toThrow(RangeError);
    }
  });
});
