import { SipCode } from '../src/upstream/sip/codes.ts';
import type { SipClient } from '../src/upstream/sip/client.ts';
import type {
  ExtensionCallStatus,
  ExtensionInfo,
  ExtensionRegistration,
  ExtensionValidity,
  Queue,
  QueueSeat,
} from '../src/upstream/sip/types.ts';

/**
 * The baselines: what a hand-written adapter would do for the wallboard, with the gateway's own SIP client (so the
 * upstream HTTP, envelope, zod parsing and time conversion costs are the same as the gateway's).
 */

/** The same data the gateway's wallboard query selects, in the same shape. */
function row(
  info: ExtensionInfo,
  call: ExtensionCallStatus | undefined,
  validity: ExtensionValidity | undefined,
  registration: ExtensionRegistration | undefined,
  seats: readonly QueueSeat[],
  queues: ReadonlyMap<string, Queue>,
) {
  return {
    extension: info.extension,
    enabled: info.enabled,
    validity: validity ? validity.status.value : null,
    registration: registration
      ? { registered: registration.status.value === SipCode.ExtensionRegistered, clientIp: registration.clientIp, serverIp: registration.serverIp }
      : null,
    callStatus: call
      ? {
          state: call.status.value,
          stateCode: call.status.raw,
          caller: call.caller,
          callee: call.callee,
          direction: call.direction?.value ?? null,
          idleSeconds: call.idleSeconds,
          talkSeconds: call.talkSeconds,
        }
      : null,
    seats: seats.map((seat) => ({
      queue: queues.has(seat.queue) ? { name: seat.queue } : null,
      state: seat.state.value,
      paused: seat.state.value === SipCode.SeatPaused || seat.status.value === SipCode.SeatPaused,
    })),
  };
}

const byExtension = <T extends { extension: string }>(rows: readonly T[]) => new Map(rows.map((r) => [r.extension, r]));
// The gateway's order (numeric-aware), with one shared collator: `localeCompare(b, 'en', { numeric: true })` builds a
// collator per comparison, which costs ~1.5 ms per 200 sorted agents here and ~9 ms for 200 unsorted ones.
const collator = new Intl.Collator('en', { numeric: true });
const sortByExtension = (infos: ExtensionInfo[]) => infos.sort((a, b) => collator.compare(a.extension, b.extension));

/** (b) The minimum upstream work: the six list calls in parallel, joined in JS. */
export async function rawWallboard(sip: SipClient, extensions: readonly string[]): Promise<string> {
  const [infos, calls, validities, registrations, seats, queues] = await Promise.all([
    sip.getExtensions({ extensions }),
    sip.getCallStatuses(extensions),
    sip.getValidities(extensions),
    sip.getRegistrations(extensions),
    sip.getSeats({ extensions }),
    sip.getQueues(),
  ]);
  const call = byExtension(calls);
  const validity = byExtension(validities);
  const registration = byExtension(registrations);
  const seatsOf = new Map<string, QueueSeat[]>();
  for (const seat of seats) seatsOf.set(seat.extension, [...(seatsOf.get(seat.extension) ?? []), seat]);
  const queueByName = new Map(queues.map((q) => [q.name, q]));
  return JSON.stringify(
    sortByExtension(infos).map((info) =>
      row(info, call.get(info.extension), validity.get(info.extension), registration.get(info.extension), seatsOf.get(info.extension) ?? [], queueByName),
    ),
  );
}

/** (c) The naive N+1 adapter: the agent list, then one call per agent per status kind (all in flight at once). */
export async function naiveWallboard(sip: SipClient, extensions: readonly string[]): Promise<string> {
  const [infos, queues] = await Promise.all([sip.getExtensions({ extensions }), sip.getQueues()]);
  const queueByName = new Map(queues.map((q) => [q.name, q]));
  const rows = await Promise.all(
    sortByExtension(infos).map(async (info) => {
      const one = [info.extension];
      const [[call], [validity], [registration], seats] = await Promise.all([
        sip.getCallStatuses(one),
        sip.getValidities(one),
        sip.getRegistrations(one),
        sip.getSeats({ extensions: one }),
      ]);
      return row(info, call, validity, registration, seats, queueByName);
    }),
  );
  return JSON.stringify(rows);
}
