/**
 * WebSocket close codes the gateway itself sends. They sit in 4000–4099, apart from graphql-ws's own (4400–4504 and
 * 4004/4005), so a client can tell them apart. None is in graphql-ws's list of fatal codes: its client retries them
 * with back-off (a cap may have room again; a slow consumer resumes with `after`).
 */
export enum GatewayCloseCode {
  /** The API key already holds MAX_SOCKETS_PER_KEY sockets and SSE streams (sent at connection_init). */
  TooManyConnections = 4029,
  /** More than SUBSCRIBER_QUEUE_LIMIT events waited for one subscription, or the socket's send buffer passed its bound. */
  SlowConsumer = 4030,
}

/** Reasons go out with the close frame: short, fixed texts (a close reason may hold at most 123 bytes). */
export const CLOSE_REASON: Record<GatewayCloseCode, string> = {
  [GatewayCloseCode.TooManyConnections]: 'Too many connections for this API key',
  [GatewayCloseCode.SlowConsumer]: 'Subscriber too slow: resubscribe with after',
};

/** Standard close codes (RFC 6455) the gateway sends. */
export enum StandardCloseCode {
  /** The replica is shutting down: reconnect (to another replica) and resubscribe with `after`. */
  GoingAway = 1001,
}

export const CLOSE_REASON_GOING_AWAY = 'Server shutting down: reconnect and resubscribe with after';
