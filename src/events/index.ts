/** Typed events and the pub/sub they travel on (docs/events.md). */
export {
  type EventHandler,
  type PubSub,
  type PubSubOptions,
  channelOf,
  createMemoryPubSub,
  createPubSub,
} from './pubsub.ts';
export * from './types.ts';
