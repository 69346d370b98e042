import { describe, expect, it } from 'vitest';
import { type AddTaskNumbersFunction, UploadOutcome, uploadTaskNumbers } from '../../src/domain/task-upload.ts';
import { NumberRejectionReason as R, type PreparedTaskNumbers, prepareTaskNumbers } from '../../src/domain/phone-numbers.ts';
import {
  ErrorCode,
  GatewayError,
  InvalidInputError,
  SipRequestError,
  UnavailableReason,
  UpstreamInvalidResponseError,
  UpstreamUnavailableError,
} from '../../src/errors.ts';
import { MAX_NUMBERS_PER_CALL, SipRet, SipService } from '../../src/upstream/sip/codes.ts';

/** uploadTaskNumbers at its edges (src/domain/task-upload.ts): names, messages, and which failures are uncertain. */
describe('uploadTaskNumbers edges', () => {
  const accepted = (phones: string[]): PreparedTaskNumbers => prepareTaskNumbers(phones.map((phone) => ({ phone })));
  const phones = ['13812345678', '13912345678', '13712345678'];
  const failingAdd = (error: unknown): AddTaskNumbersFunction => async () => {
    throw error;
  };
  const context = { upstream: 'sip' as const, operation: 'TaskAdd' };

  it('names calls as asked, and says why the platform refused a number when it does', async () => {
    const result = await uploadTaskNumbers(accepted(phones), {
      destination: { create: async () => ({ taskId: 't1', refused: [{ phone: '13812345678', raw: 'x' }] }) },
      add: async (_task, numbers) =>
        numbers[0]?.phone === '13912345678'
          ? { accepted: 0, refused: [{ phone: '13912345678', raw: 'y', reason: 'blacklisted' }] }
          : { accepted: 0, refused: [] },
      chunkSize: 1,
      operations: { create: 'Create', add: 'Import' },
    });
    expect(result.outcome).toBe(UploadOutcome.Complete);
    expect(result.calls).toEqual([
      { operation: 'Create', chunk: 0, sent: 1, refused: 1, platformAccepted: null },
      { operation: 'Import', chunk: 1, sent: 1, refused: 1, platformAccepted: 0 },
      { operation: 'Import', chunk: 2, sent: 1, refused: 0, platformAccepted: 0 },
    ]);
    expect(result.rejected).toEqual([
      { index: 0, input: '13812345678', reason: R.RefusedByPlatform, message: 'the platform refused 13812345678', platformDetail: 'x' },
      { index: 1, input: '13912345678', reason: R.RefusedByPlatform, message: 'the platform refused 13912345678: blacklisted', platformDetail: 'y' },
    ]);
    expect(result.accepted.map((a) => a.index)).toEqual([2]);
    expect(result.anomalies).toEqual([{ kind: 'COUNT_MISMATCH', chunk: 2, expected: 1, platformAccepted: 0 }]);
  });

  it('matches a refusal once per entry, trims it, and reports both lists in the caller order', async () => {
    const result = await uploadTaskNumbers(accepted(['13812345678', 'bad', '13912345678', '13812345678x']), {
      destination: { taskId: 't' },
      add: async () => ({ accepted: null, refused: [{ phone: ' 13912345678 ', raw: 1 }, { phone: '13912345678', raw: 2 }] }),
    });
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(result.rejected[1]).toMatchObject({ index: 2, reason: R.RefusedByPlatform, platformDetail: 1 });
    expect(result.anomalies).toEqual([{ kind: 'UNMATCHED_REFUSAL', chunk: 0, refused: { phone: '13912345678', raw: 2 } }]);
    expect(result.accepted.map((a) => a.index)).toEqual([0]);
  });

  it('accepts the smallest and the largest chunk size', async () => {
    for (const chunkSize of [1, MAX_NUMBERS_PER_CALL]) {
      const result = await uploadTaskNumbers(accepted(['13812345678']), {
        destination: { taskId: 't' },
        add: async () => ({ accepted: 1, refused: [] }),
        chunkSize,
      });
      expect(result.outcome).toBe(UploadOutcome.Complete);
    }
  });

  it('marks the failed chunk uncertain only when the call may have reached the platform', async () => {
    const cases: Array<[unknown, boolean, string]> = [
      [new UpstreamUnavailableError(context, UnavailableReason.ConnectFailed, 'refused'), false, ErrorCode.UpstreamUnavailable],
      [new UpstreamUnavailableError(context, UnavailableReason.Timeout, 'slow'), true, ErrorCode.UpstreamUnavailable],
      [new UpstreamInvalidResponseError(context, 'not json'), true, ErrorCode.UpstreamInvalidResponse],
      [new SipRequestError('TaskAdd', { value: SipRet.ServerError, raw: '500' }, 'boom'), true, ErrorCode.UpstreamUnavailable],
      [new SipRequestError('TaskAdd', { value: 'UNKNOWN', raw: '777' }, 'odd'), true, ErrorCode.UpstreamRejected],
      [new SipRequestError('TaskAdd', { value: 600 as SipRet, raw: '600' }, 'token'), false, ErrorCode.UpstreamRejected],
    ];
    for (const [error, uncertain, code] of cases) {
      const result = await uploadTaskNumbers(accepted(phones), { destination: { taskId: 't' }, add: failingAdd(error), chunkSize: 2 });
      const label = `${(error as Error).message}`;
      expect(result.outcome, label).toBe(UploadOutcome.Partial);
      expect(result.failure, label).toMatchObject({ operation: SipService.TaskAdd, chunk: 0, code, uncertain });
      expect(result.rejected.map((r) => r.uncertain), label).toEqual([uncertain, uncertain, false]);
      const message = (error as Error).message;
      expect(result.rejected[0]?.message, label).toBe(
        uncertain
          ? `${SipService.TaskAdd} failed and may or may not have reached the platform: ${message}`
          : `not sent: ${SipService.TaskAdd} failed: ${message}`,
      );
      expect(result.rejected[2]?.message, label).toBe(`not sent: ${SipService.TaskAdd} failed: ${message}`);
      if (error instanceof SipRequestError) {
        expect(result.failure?.upstreamCode, label).toBe(error.ret.raw);
        expect(result.rejected[2]?.error, label).toEqual({ code, message, upstreamCode: error.ret.raw });
      } else {
        expect(result.failure, label).not.toHaveProperty('upstreamCode');
        expect(result.rejected[2]?.error, label).toStrictEqual({ code, message });
      }
    }
  });

  it('treats any other gateway error coded UPSTREAM_UNAVAILABLE as uncertain, and other codes as certain', async () => {
    class Unavailable extends GatewayError {
      readonly code = ErrorCode.UpstreamUnavailable;
    }
    class Conflict extends GatewayError {
      readonly code = ErrorCode.Conflict;
    }
    for (const [error, uncertain] of [
      [new Unavailable('gone'), true],
      [new Conflict('taken'), false],
    ] as const) {
      const result = await uploadTaskNumbers(accepted(phones), { destination: { taskId: 't' }, add: failingAdd(error) });
      expect(result.failure, error.message).toMatchObject({ code: error.code, message: error.message, uncertain });
    }
  });

  it('refuses a bad chunk size saying which, and a task without a valid number naming the numbers field', async () => {
    await expect(
      uploadTaskNumbers(accepted(['13812345678']), { destination: { taskId: 't' }, add: async () => ({ accepted: 1, refused: [] }), chunkSize: 0 }),
    ).rejects.toThrow(`chunkSize must be 1…${MAX_NUMBERS_PER_CALL}, got 0`);
    const result = await uploadTaskNumbers(prepareTaskNumbers([{ phone: 'x' }]), {
      destination: { create: async () => ({ taskId: 't', refused: [] }) },
      add: async () => ({ accepted: 0, refused: [] }),
    });
    expect(result.error).toBeInstanceOf(InvalidInputError);
    expect(result.error).toMatchObject({ message: 'none of the numbers can be dialled: the task was not created', field: 'numbers' });
  });

  it('strips only leading zeros when matching a refusal', async () => {
    // 138100234 is no number of the chunk: with zeros taken out of the middle it would look like 13810000234.
    const result = await uploadTaskNumbers(accepted(['13810000234']), {
      destination: { taskId: 't' },
      add: async () => ({ accepted: 1, refused: [{ phone: '138100234', raw: 'x' }] }),
    });
    expect(result.accepted.map((a) => a.index)).toEqual([0]);
    expect(result.anomalies).toEqual([{ kind: 'UNMATCHED_REFUSAL', chunk: 0, refused: { phone: '138100234', raw: 'x' } }]);
  });

  it('a TaskCreat that fails leaves every number NOT_SENT and no task', async () => {
    const error = new UpstreamUnavailableError({ upstream: 'sip', operation: 'TaskCreat' }, UnavailableReason.ConnectFailed, 'refused');
    const result = await uploadTaskNumbers(accepted(phones), {
      destination: {
        create: async () => {
          throw error;
        },
      },
      add: async () => ({ accepted: 0, refused: [] }),
      chunkSize: 2,
    });
    expect(result).toMatchObject({ outcome: UploadOutcome.TaskNotCreated, taskId: null, error, failure: { operation: SipService.TaskCreate, chunk: 0, uncertain: false } });
    expect(result.rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, R.NotSent],
      [1, R.NotSent],
      [2, R.NotSent],
    ]);
    expect(result.calls).toEqual([]);
  });
});
