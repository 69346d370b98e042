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
import { byKey, chunkedLoader, groupByKey } from './batch.ts';

/**
 * Per-request loaders over the SIP API. The status services take comma lists, so N agents cost one call per
 * status kind per `listChunkSize` agents; queues and groups come as one list call each.
 */
export interface SipLoaders {
  /** GetSipnumberInfo (all statuses), by extension. */
  extension: DataLoader<string, ExtensionInfo>;
  callStatus: DataLoader<string, ExtensionCallStatus>;
  validity: DataLoader<string, ExtensionValidity>;
  registration: DataLoader<string, ExtensionRegistration>;
  /** GetQueueSipStatus by extension: the agent's queue memberships (possibly none). */
  seatsByExtension: DataLoader<string, QueueSeat[]>;
  /** GetQueueSipStatus by queue: one call for all asked queues. */
  seatsByQueue: DataLoader<string, QueueSeat[]>;
  queue: DataLoader<string, Queue>;
  extGroup: DataLoader<string, ExtGroup>;
  /** GetGroupExt has no batch form: one call per group, deduplicated within the request. */
  extGroupMembers: DataLoader<string, ExtGroupMember[]>;
  /** GetRecodeFile: one call per distinct file. */
  recording: DataLoader<string, RecordingLink>;
}

export function createSipLoaders(sip: SipClient | null, listChunkSize: number): SipLoaders {
  const client = (): SipClient => {
    if (!sip) throw new UpstreamNotConfiguredError({ upstream: 'sip', operation: 'load' });
    return sip;
  };
  const ext = <V extends { extension: string }>(what: string, fetch: (keys: string[]) => Promise<V[]>) =>
    chunkedLoader<string, V>(listChunkSize, async (keys) => byKey(keys, await fetch(keys), (row) => row.extension, 'Agent', what));

  return {
    extension: ext('Agent', (keys) => client().getExtensions({ status: ExtensionStatusFilter.All, extensions: keys })),
    callStatus: ext('Agent call status', (keys) => client().getCallStatuses(keys)),
    validity: ext('Agent validity', (keys) => client().getValidities(keys)),
    registration: ext('Agent registration', (keys) => client().getRegistrations(keys)),
    seatsByExtension: chunkedLoader(listChunkSize, async (keys) =>
      groupByKey(keys, await client().getSeats({ extensions: keys }), (seat) => seat.extension),
    ),
    seatsByQueue: new DataLoader(async (keys) => {
      // One queue: ask for it; several: one call for all seats, grouped here.
      const seats = await client().getSeats(keys.length === 1 ? { queue: keys[0] } : {});
      return groupByKey(keys, seats, (seat) => seat.queue);
    }),
    queue: new DataLoader(async (keys) => byKey(keys, await client().getQueues(), (queue) => queue.name, 'Queue')),
    extGroup: new DataLoader(async (keys) =>
      byKey(keys, await client().getExtGroups({ status: ExtGroupStatusFilter.All }), (group) => group.name, 'ExtGroup'),
    ),
    extGroupMembers: new DataLoader((keys) =>
      Promise.all(keys.map((name) => client().getExtGroupMembers(name).catch((error: unknown) => error as Error))),
    ),
    recording: new DataLoader(async (keys) =>
      Promise.all(keys.map((file) => client().getRecordingLink(file).catch((error: unknown) => error as Error))),
    ),
  };
}
