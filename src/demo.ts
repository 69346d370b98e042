import type { App } from './app.ts';
import type { Logger } from './logger.ts';
import type { Simulator } from './simulator/server.ts';

/**
 * Demo mode's live part: the simulator's dialer posts its callbacks to this gateway, runs faster than real time, and a
 * demo predictive campaign is created and started through the gateway's own API — so GraphiQL shows agents ringing,
 * talking and hanging up within seconds, and the campaign is in `tasks` like any other.
 */

export const DEMO_SUBSCRIPTION =
  'subscription { agentStatusChanged { eventId extension status call { customerNumber direction } previous { status } current { status } } }';

const CREATE = `mutation($input: CreatePredictiveTaskInput!) {
  createPredictiveTask(input: $input) { __typename ... on CreatePredictiveTaskPayload { acceptedCount task { id } } ... on Error { message } }
}`;
const START = 'mutation($id: ID!) { startTask(id: $id) { __typename ... on Error { message } } }';
/** Alert only: the wallboard shows the campaign's abandon rate against a target, and the demo keeps dialling. */
const GUARD = `mutation($taskId: ID!) {
  setAbandonGuard(input: { taskId: $taskId, targetPercent: 3, lastCalls: 100, pauseTask: false }) { __typename ... on Error { message } }
}`;

async function call(app: App, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await app.yoga.fetch('http://demo/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data ?? {};
}

export async function startDemo(options: {
  app: App;
  simulator: Simulator;
  gatewayUrl: string;
  callbackSecret: string;
  speed: number;
  logger: Logger;
  numbers?: number;
}): Promise<{ taskId: string }> {
  const { app, simulator, logger } = options;
  // Loopback, whatever the gateway listens on: the simulator runs in this process.
  const port = new URL(options.gatewayUrl).port;
  simulator.dialer.setCallbackUrl(`http://127.0.0.1:${port}/callbacks/${options.callbackSecret}`);
  simulator.dialer.setSpeed(options.speed);
  simulator.dialer.start();

  // The queue with the most agents checked in takes the campaign.
  const queue = [...simulator.sip.queues.values()].sort((a, b) => b.seats.size - a.seats.size)[0];
  if (!queue) throw new Error('the simulator has no queue for the demo campaign');
  const count = options.numbers ?? 400;
  const numbers = Array.from({ length: count }, (_, i) => ({
    phone: `1${[3, 5, 7, 8, 9][i % 5]}${String(600_000_000 + i * 7919).padStart(9, '0')}`,
    customerId: `DEMO-${String(i + 1).padStart(4, '0')}`,
  }));
  const created = await call(app, CREATE, {
    input: { name: '演示外呼 demo campaign', assignment: { type: 'QUEUE', assignee: queue.name }, pacing: { agents: 1, calls: 2 }, numbers, idempotencyKey: `demo-${Date.now()}` },
  });
  const result = created.createPredictiveTask;
  if (result?.__typename !== 'CreatePredictiveTaskPayload') throw new Error(`demo campaign not created: ${result?.message ?? 'unknown'}`);
  const guarded = await call(app, GUARD, { taskId: result.task.id });
  if (guarded.setAbandonGuard?.__typename !== 'AbandonGuardPayload') logger.warn(`demo campaign has no abandon-rate guard: ${guarded.setAbandonGuard?.message ?? 'unknown'}`);
  const started = await call(app, START, { id: result.task.id });
  if (started.startTask?.__typename !== 'TaskPayload') throw new Error(`demo campaign not started: ${started.startTask?.message ?? 'unknown'}`);
  logger.info(`demo campaign: ${result.acceptedCount} numbers on queue "${queue.name}", dialling at ${options.speed}× speed`);
  return { taskId: result.task.id as string };
}
