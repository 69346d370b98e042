import type { Bill } from '../../src/simulator/sip/model.ts';

/**
 * The statistics tests' independent calculation: figures from the simulated PBX's raw call records and the dialer's own
 * account of which calls were abandoned (never from the record's hang-up cause, which is what the gateway reads).
 */

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface ExpectedFigures {
  dialled: number;
  /** Answered by the customer: an agent took it, or it was abandoned. */
  offered: number;
  answered: number;
  abandoned: number;
  /** Answered within the service level's threshold (seconds from the dial to the agent's answer). */
  within: number;
  waitSum: number;
  talkSum: number;
}

export function expectedFigures(bills: readonly Bill[], abandonedUuids: ReadonlySet<string>, serviceLevelSeconds: number): ExpectedFigures {
  const answered = bills.filter((b) => b.answertime !== null);
  const abandoned = bills.filter((b) => abandonedUuids.has(b.uuid));
  const waits = answered.map((b) => b.duration);
  return {
    dialled: bills.length,
    offered: answered.length + abandoned.length,
    answered: answered.length,
    abandoned: abandoned.length,
    within: waits.filter((w) => w <= serviceLevelSeconds).length,
    waitSum: waits.reduce((a, b) => a + b, 0),
    talkSum: answered.reduce((a, b) => a + b.billsec, 0),
  };
}

/** What `queueStatistics` should answer for these calls. */
export function expectedQueueStatistics(queue: string, e: ExpectedFigures, serviceLevelSeconds: number) {
  return {
    queue,
    offered: e.offered,
    answered: e.answered,
    abandoned: e.abandoned,
    abandonRatePercent: e.offered ? round2((e.abandoned / e.offered) * 100) : null,
    averageSpeedOfAnswerSeconds: e.answered ? round1(e.waitSum / e.answered) : null,
    averageTalkSeconds: e.answered ? round1(e.talkSum / e.answered) : null,
    talkSeconds: e.talkSum,
    serviceLevel: { thresholdSeconds: serviceLevelSeconds, answeredWithin: e.within, percent: e.offered ? round2((e.within / e.offered) * 100) : null },
  };
}

/** A campaign's figures and its queue's (`sales`), in the shapes the expectations above describe. */
export const CAMPAIGN_AND_QUEUE = /* GraphQL */ `
  query($id: ID!, $w: StatisticsWindowInput, $t: Int) {
    node(id: $id) { ... on PredictiveTask { statistics(window: $w) { dialled customerAnswered connected abandoned remaining } } }
    queueStatistics(queues: ["sales"], window: $w, serviceLevelSeconds: $t) {
      queue offered answered abandoned abandonRatePercent averageSpeedOfAnswerSeconds averageTalkSeconds talkSeconds
      serviceLevel { thresholdSeconds answeredWithin percent }
    }
  }
`;
