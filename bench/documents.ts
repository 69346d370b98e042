/** What the bench parts send, in one place. */

/** The simulator's extensions the bench creates start here (simulator-process.ts `firstExtension`). */
export const FIRST_EXTENSION = 7000;

/**
 * The 200-agent wallboard: every status field of the agents named in `$e`. One page of up to 2,000 agents (the
 * largest `agents` page): BENCH_AGENTS above that would need paging.
 */
export const WALLBOARD = `query Wallboard($e: [String!]) {
  agents(filter: { extensions: $e }, first: 2000) {
    edges {
      node {
        extension enabled validity
        registration { registered clientIp serverIp }
        callStatus { state stateCode caller callee direction idleSeconds talkSeconds }
        seats { queue { name } state paused }
      }
    }
  }
}`;
