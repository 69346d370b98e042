import type { AiCallSimulator, AiCallSimulatorOptions, SimContext, SimRequest, SimResponse } from '../types.ts';
import type { TypedEmitter } from '../events.ts';
import { createRenderer } from './render.ts';
import { createRoutes, json, matchRoute } from './routes.ts';
import { seedAiCallState } from './seed.ts';
import { AiCallSimState, type AiCallSimEvents } from './state.ts';

export { AICALL_ROUTES, type AiCallRoute } from './routes.ts';
export {
  AiCallSimState,
  type AiCallSimEvents,
  type SimAiCustomer,
  type SimAiTask,
  type SimAiTaskFields,
  type SimCallerLine,
  type SimCustomerServiceGroup,
  type SimDoNotCallWindow,
  type SimRedialRule,
  type SimScriptGroup,
} from './state.ts';

/** The AI-call platform module, plus its state and task events for the dialer and the tests. */
export interface AiCallSimulatorModule extends AiCallSimulator {
  readonly state: AiCallSimState;
  readonly events: TypedEmitter<AiCallSimEvents>;
}

export const DEFAULT_AICALL_TOKEN = 'sim-aicall-token';

/**
 * The simulated AI-call platform (`/v1/task…`): a pure request → response function over seeded state (the same for
 * the same `ctx.rng` seed). Every route wants the token in `options.authHeader`, bare or after a scheme word
 * (`Bearer <token>`); without it the answer is Laravel's 401 `{"message":"Unauthenticated."}`.
 */
export function createAiCallSimulator(ctx: SimContext, options: AiCallSimulatorOptions): AiCallSimulatorModule {
  const token = options.token || DEFAULT_AICALL_TOKEN;
  const authHeader = (options.authHeader || 'authorization').toLowerCase();
  const state = new AiCallSimState(ctx);
  seedAiCallState(state, ctx);
  const routes = createRoutes(state, createRenderer(state, ctx.time));

  function authorised(request: SimRequest): boolean {
    const raw = request.headers[authHeader];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!value) return false;
    if (value === token) return true;
    const space = value.indexOf(' ');
    return space > 0 && value.slice(space + 1).trim() === token;
  }

  return {
    state,
    events: state.events,
    routeOf(method, path) {
      return matchRoute(method, path)?.route ?? null;
    },
    handle(request): SimResponse {
      const matched = matchRoute(request.method, request.path);
      if (!matched) return json(404, { message: 'Not Found' });
      if (!authorised(request)) return json(401, { message: 'Unauthenticated.' });
      return routes.handleMatched(matched, request);
    },
  };
}
