import type { SimRequest, SimResponse } from '../types.ts';
import type { AiCallRenderer } from './render.ts';
import type { AiCallSimState } from './state.ts';
import { validateImport, validateTaskBody, type FieldErrors } from './validate.ts';

/** The platform's routes, as counted and switched by the simulator's server. */
export const AICALL_ROUTES = [
  'GET /v1/task/create',
  'GET /v1/task',
  'POST /v1/task',
  'PUT /v1/task/{id}',
  'GET /v1/task/destroy/{id}',
  'GET /v1/task/start/{id}',
  'GET /v1/task/stop/{id}',
  'POST /v1/task/import_task_customer/{id}',
] as const;

export type AiCallRoute = (typeof AICALL_ROUTES)[number];

export interface MatchedRoute {
  route: AiCallRoute;
  id: string | null;
}

/** A path segment that can be an id: anything but empty and a slash. */
const SEGMENT = '([^/]+)';
const PATTERNS: readonly { route: AiCallRoute; method: string; regex: RegExp }[] = AICALL_ROUTES.map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  const regex = new RegExp(`^${path.replace('{id}', SEGMENT)}/?$`);
  return { route, method, regex };
});

export function matchRoute(method: string, path: string): MatchedRoute | null {
  const upper = method.toUpperCase();
  for (const pattern of PATTERNS) {
    if (pattern.method !== upper) continue;
    const m = pattern.regex.exec(path);
    if (m) {
      let id: string | null = null;
      if (m[1] !== undefined) {
        try {
          id = decodeURIComponent(m[1]);
        } catch {
          id = m[1];
        }
      }
      return { route: pattern.route, id };
    }
  }
  return null;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export function json(status: number, body: unknown): SimResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** Laravel's answer to a failed validation. */
export function invalid(errors: FieldErrors): SimResponse {
  return json(422, { message: 'The given data was invalid.', errors });
}

/** Laravel's answer to an unknown model id. */
function taskNotFound(id: string): SimResponse {
  return json(404, { message: `No query results for model [App\\Models\\Task] ${id}` });
}

type Parsed = { ok: true; value: unknown } | { ok: false; response: SimResponse };

/** JSON bodies, and url-encoded forms (Laravel reads both); an empty body is an empty object. */
function parseBody(request: SimRequest): Parsed {
  const text = request.body.toString('utf8');
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: json(400, { message: 'Malformed JSON body.' }) };
  }
}

export function createRoutes(state: AiCallSimState, render: AiCallRenderer) {
  function handleMatched(matched: MatchedRoute, request: SimRequest): SimResponse {
    const { route, id } = matched;
    if (route === 'GET /v1/task/create') return json(200, render.taskOptions());
    if (route === 'GET /v1/task') return json(200, { data: state.listTasks().map((t) => render.task(t, true)) });
    if (route === 'POST /v1/task') {
      const body = parseBody(request);
      if (!body.ok) return body.response;
      const checked = validateTaskBody(body.value, state);
      if (!checked.ok) return invalid(checked.errors);
      return json(201, render.task(state.createTask(checked.value), false));
    }

    // Every other route names a task.
    const task = id === null ? undefined : state.getTask(id);
    if (!task) return taskNotFound(id ?? '');

    switch (route) {
      case 'PUT /v1/task/{id}': {
        const body = parseBody(request);
        if (!body.ok) return body.response;
        const checked = validateTaskBody(body.value, state, task.uuid);
        if (!checked.ok) return invalid(checked.errors);
        return json(200, render.task(state.updateTask(task.uuid, checked.value), false));
      }
      case 'GET /v1/task/destroy/{id}':
        state.deleteTask(task.uuid);
        return json(200, { message: '删除成功' });
      case 'GET /v1/task/start/{id}': {
        if (!task.running) {
          const residue = state.residue(task.callerLineId, task.uuid);
          if (!state.callerLines.has(task.callerLineId)) {
            return invalid({ caller_line_id: ['任务所用线路已不存在,无法启动。'] });
          }
          if (task.maximumcall > residue) {
            return invalid({ maximumcall: [`线路剩余并发不足(剩余 ${residue},任务需要 ${task.maximumcall}),无法启动。`] });
          }
        }
        return json(200, render.task(state.setRunning(task.uuid, true), false));
      }
      case 'GET /v1/task/stop/{id}':
        return json(200, render.task(state.setRunning(task.uuid, false), false));
      case 'POST /v1/task/import_task_customer/{id}': {
        const body = parseBody(request);
        if (!body.ok) return body.response;
        const checked = validateImport(body.value, new Set(task.customers.map((c) => c.phone)));
        if (!checked) return invalid({ customers: ['导入数据必须是号码列表(数组)。'] });
        const added = state.importCustomers(task.uuid, checked.accepted);
        return json(200, {
          message: '导入完成',
          data: {
            success: added.length,
            fail: checked.refused.length,
            fail_list: checked.refused.map((r) => ({ index: r.index, phone: r.phone, reason: r.reason })),
            total: state.progress(task).total,
          },
        });
      }
      default:
        return json(404, { message: 'Not Found' });
    }
  }

  return { handleMatched };
}
