import { builder } from '../builder.ts';
import type { ExtGroup, ExtensionInfo, Queue, QueueSeat } from '../upstream/sip/types.ts';

/**
 * Object refs shared across domain files, so agent.ts can return a Queue and queue.ts an Agent without importing
 * each other. Each ref is implemented by its own domain file.
 */

/** An agent is an extension; `info` is there when it came from a GetSipnumberInfo listing. */
export interface AgentShape {
  extension: string;
  info?: ExtensionInfo;
}

export const AgentRef = builder.objectRef<AgentShape>('Agent');
export const QueueRef = builder.objectRef<Queue>('Queue');
export const QueueSeatRef = builder.objectRef<QueueSeat>('QueueSeat');
export const ExtGroupRef = builder.objectRef<ExtGroup>('ExtGroup');

export function agentOf(extension: string, info?: ExtensionInfo): AgentShape {
  return info ? { extension, info } : { extension };
}
