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

/** Rows by their extension (a repeated extension: the last row, as byKey does). */
function byExtension<V extends { extension: string }>(rows: readonly V[]): Map<string, V> {
  const found = new Map<string, V>();
  for (const row of rows) found.set(row.extension, row);
  return found;
}

/** Seats grouped by extension; an extension without seats is in no queue (an empty list, not an error). */
function groupSeats(seats: readonly QueueSeat[]): Map<string, QueueSeat[]> {
  const groups = new Map<string, QueueSeat[]>();
  for (const seat of seats) {
    const group = groups.get(seat.extension);
    if (group) group.push(seat);
    else groups.set(seat.extension, [seat]);
  }
  return groups;
}

/**
 * The loaders are built on first use: a request touches a few of them, and building all ten for every request (the
 * smallest query included) is garbage for nothing. A class with getters on its prototype, not an object given ten
 * getters of its own per request: `Object.defineProperty` with fresh closures gave every request's set hidden classes
 * of its own, and hidden classes live in the old generation. That was ~10 kB of old-generation garbage per request
 * that read the PBX, which made every scavenge copy megabytes and take 3–10 ms (bench/README.md, "one upstream call").
 */
class SipLoaderSet implements SipLoaders {
  #extension: SipLoaders['extension'] | undefined;
  #callStatus: SipLoaders['callStatus'] | undefined;
  #validity: SipLoaders['validity'] | undefined;
  #registration: SipLoaders['registration'] | undefined;
  #seatsByExtension: SipLoaders['seatsByExtension'] | undefined;
  #seatsByQueue: SipLoaders['seatsByQueue'] | undefined;
  #queue: SipLoaders['queue'] | undefined;
  #extGroup: SipLoaders['extGroup'] | undefined;
  #extGroupMembers: SipLoaders['extGroupMembers'] | undefined;
  #recording: SipLoaders['recording'] | undefined;

  constructor(
    private readonly sip: SipClient | null,
    private readonly listChunkSize: number,
  ) {}

  private client(): SipClient {
    if (!this.sip) throw new UpstreamNotConfiguredError({ upstream: 'sip', operation: 'load' });
    return this.sip;
  }

  /** A status kind's loader by extension, filled ahead by the wallboard's prefetch. */
  private statusLoader<V extends { extension: string }>(what: string, fetch: (keys: string[]) => Promise<V[]>): PrefetchLoader<V> {
    return new PrefetchLoader<V>(
      new PrefetchStore<V>({
        size: this.listChunkSize,
        fetch: async (keys) => byExtension(await fetch(keys)),
        absent: (key) => new NotFoundError('Agent', key, what),
      }),
    );
  }

  get extension(): SipLoaders['extension'] {
    return (this.#extension ??= chunkedLoader<string, ExtensionInfo>(this.listChunkSize, async (keys) =>
      byKey(keys, await this.client().getExtensions({ status: ExtensionStatusFilter.All, extensions: keys }), (row) => row.extension, 'Agent', 'Agent'),
    ));
  }

  get callStatus(): SipLoaders['callStatus'] {
    return (this.#callStatus ??= this.statusLoader('Agent call status', (keys) => this.client().getCallStatuses(keys)));
  }

  get validity(): SipLoaders['validity'] {
    return (this.#validity ??= this.statusLoader('Agent validity', (keys) => this.client().getValidities(keys)));
  }

  get registration(): SipLoaders['registration'] {
    return (this.#registration ??= this.statusLoader('Agent registration', (keys) => this.client().getRegistrations(keys)));
  }

  get seatsByExtension(): SipLoaders['seatsByExtension'] {
    return (this.#seatsByExtension ??= new PrefetchLoader<QueueSeat[]>(
      new PrefetchStore<QueueSeat[]>({
        size: this.listChunkSize,
        fetch: async (keys) => groupSeats(await this.client().getSeats({ extensions: keys })),
        absent: () => [],
      }),
    ));
  }

  get seatsByQueue(): SipLoaders['seatsByQueue'] {
    return (this.#seatsByQueue ??= new DataLoader(async (keys) => {
      const seats = await this.client().getSeats(keys.length === 1 ? { queue: keys[0] } : {});
      return groupByKey(keys, seats, (seat) => seat.queue);
    }));
  }

  get queue(): SipLoaders['queue'] {
    return (this.#queue ??= new PrefetchLoader<Queue>(
      new PrefetchStore<Queue>(
        {
          size: Number.POSITIVE_INFINITY,
          fetch: async () => queuesByName(this.client()),
          absent: (name) => new NotFoundError('Queue', name),
        },
        (name) => new NotFoundError('Queue', name),
      ),
    ));
  }

  get extGroup(): SipLoaders['extGroup'] {
    return (this.#extGroup ??= new DataLoader(async (keys) =>
      byKey(keys, await this.client().getExtGroups({ status: ExtGroupStatusFilter.All }), (group) => group.name, 'ExtGroup'),
    ));
  }

  get extGroupMembers(): SipLoaders['extGroupMembers'] {
    return (this.#extGroupMembers ??= new DataLoader((keys) =>
      Promise.all(keys.map((name) => this.client().getExtGroupMembers(name).catch((error: unknown) => error as Error))),
    ));
  }

  get recording(): SipLoaders['recording'] {
    return (this.#recording ??= new DataLoader(async (keys) =>
      Promise.all(keys.map((file) => this.client().getRecordingLink(file).catch((error: unknown) => error as Error))),
    ));
  }
}

export function createSipLoaders(sip: SipClient | null, listChunkSize: number): SipLoaders {
  return new SipLoaderSet(sip, listChunkSize);
}
