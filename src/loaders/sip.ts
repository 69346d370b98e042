import DataLoader from 'dataloader';
import { UpstreamNotConfiguredError } from '../errors.ts';
import { ExtGroupStatusFilter, ExtensionStatusFilter } from '../upstream/sip/codes.ts';
import type { SipClient } from '../upstream/sip/client.ts';
import type {
  ExtGroup,
  ExtGroupMember,
  ExtensionCallStatus,
  ExtensionInfo,
  ExtensionRegistration,
  ExtensionValidity,
  Queue,
  QueueSeat,
  RecordingLink,
} from '../upstream/sip/types.ts';
import { NotFoundError } from '../errors.ts';
import { byKey, chunkedLoader, groupByKey } from './batch.ts';
import { PrefetchLoader, PrefetchStore } from './prefetch.ts';

/**
 * Per-request loaders over the SIP API. The status services take comma lists, so N agents cost one call per
 * status kind per `listChunkSize` agents; queues and groups come as one list call each.
 */
export interface SipLoaders {
  /** GetSipnumberInfo (all statuses), by extension. */
  extension: DataLoader<string, ExtensionInfo>;
  // The status kinds of an agent and the queue list can be prefetched by `agents` and read synchronously (prefetch.ts).
  callStatus: PrefetchLoader<ExtensionCallStatus>;
  validity: PrefetchLoader<ExtensionValidity>;
  registration: PrefetchLoader<ExtensionRegistration>;
  /** GetQueueSipStatus by extension: the agent's queue memberships (possibly none). */
  seatsByExtension: PrefetchLoader<QueueSeat[]>;
  /** GetQueueSipStatus by queue: one call for all asked queues. */
  seatsByQueue: DataLoader<string, QueueSeat[]>;
  /** GetQueueList by name; `prefetchAll(loadAllQueues)` reads the list ahead of the fields. */
  queue: PrefetchLoader<Queue>;
  extGroup: DataLoader<string, ExtGroup>;
  /** GetGroupExt has no batch form: one call per group, deduplicated within the request. */
  extGroupMembers: DataLoader<string, ExtGroupMember[]>;
  /** GetRecodeFile: one call per distinct file. */
  recording: DataLoader<string, RecordingLink>;
}

/** Every queue by name, for `queue.prefetchAll` / `queue.primeAll`. */
export async function queuesByName(sip: SipClient): Promise<Map<string, Queue>> {
  return new Map((await sip.getQueues()).map((queue) => [queue.name, queue]));
}

/**
 * The loaders are built on first use: a request touches a few of them, and building all ten for every request (the
 * smallest query included) is garbage for nothing.
 */
export function createSipLoaders(sip: SipClient | null, listChunkSize: number): SipLoaders {
  const client = (): SipClient => {
    if (!sip) throw new UpstreamNotConfiguredError({ upstream: 'sip', operation: 'load' });
    return sip;
  };
  /** Rows by their extension (a repeated extension: the last row, as byKey does). */
  const byExtension = <V extends { extension: string }>(rows: readonly V[]): Map<string, V> => {
    const found = new Map<string, V>();
    for (const row of rows) found.set(row.extension, row);
    return found;
  };
  const ext = <V extends { extension: string }>(what: string, fetch: (keys: string[]) => Promise<V[]>) =>
    new PrefetchLoader<V>(
      new PrefetchStore<V>({
        size: listChunkSize,
        fetch: async (keys) => byExtension(await fetch(keys)),
        absent: (key) => new NotFoundError('Agent', key, what),
      }),
    );
  /** Seats grouped by extension; an extension without seats is in no queue (an empty list, not an error). */
  const groupSeats = (seats: readonly QueueSeat[]): Map<string, QueueSeat[]> => {
    const groups = new Map<string, QueueSeat[]>();
    for (const seat of seats) {
      const group = groups.get(seat.extension);
      if (group) group.push(seat);
      else groups.set(seat.extension, [seat]);
    }
    return groups;
  };

  const build: { [K in keyof SipLoaders]: () => SipLoaders[K] } = {
    extension: () =>
      chunkedLoader<string, ExtensionInfo>(listChunkSize, async (keys) =>
        byKey(keys, await client().getExtensions({ status: ExtensionStatusFilter.All, extensions: keys }), (row) => row.extension, 'Agent', 'Agent'),
      ),
    callStatus: () => ext('Agent call status', (keys) => client().getCallStatuses(keys)),
    validity: () => ext('Agent validity', (keys) => client().getValidities(keys)),
    registration: () => ext('Agent registration', (keys) => client().getRegistrations(keys)),
    seatsByExtension: () =>
      new PrefetchLoader<QueueSeat[]>(
        new PrefetchStore<QueueSeat[]>({
          size: listChunkSize,
          fetch: async (keys) => groupSeats(await client().getSeats({ extensions: keys })),
          absent: () => [],
        }),
      ),
    seatsByQueue: () =>
      new DataLoader(async (keys) => {
        // One queue: ask for it; several: one call for all seats, grouped here.
        const seats = await client().getSeats(keys.length === 1 ? { queue: keys[0] } : {});
        return groupByKey(keys, seats, (seat) => seat.queue);
      }),
    queue: () =>
      new PrefetchLoader<Queue>(
        new PrefetchStore<Queue>(
          // GetQueueList answers every queue whatever is asked: one call for any number of names.
          {
            size: Number.POSITIVE_INFINITY,
            fetch: async () => queuesByName(client()),
            absent: (name) => new NotFoundError('Queue', name),
          },
          (name) => new NotFoundError('Queue', name),
        ),
      ),
    extGroup: () =>
      new DataLoader(async (keys) =>
        byKey(keys, await client().getExtGroups({ status: ExtGroupStatusFilter.All }), (group) => group.name, 'ExtGroup'),
      ),
    extGroupMembers: () =>
      new DataLoader((keys) =>
        Promise.all(keys.map((name) => client().getExtGroupMembers(name).catch((error: unknown) => error as Error))),
      ),
    recording: () =>
      new DataLoader(async (keys) =>
        Promise.all(keys.map((file) => client().getRecordingLink(file).catch((error: unknown) => error as Error))),
      ),
  };

  const loaders = {} as SipLoaders;
  for (const name of Object.keys(build) as Array<keyof SipLoaders>) {
    Object.defineProperty(loaders, name, {
      enumerable: true,
      configurable: true,
      get() {
        const loader = build[name]();
        // From now on a plain property: the getter runs once per loader per request.
        Object.defineProperty(loaders, name, { value: loader, enumerable: true, writable: false });
        return loader;
      },
    });
  }
  return loaders;
}
