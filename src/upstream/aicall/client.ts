import { z } from 'zod';
import { AiCallHttpError, UpstreamInvalidResponseError, type UpstreamErrorContext } from '../../errors.ts';
import { UpstreamCodeKind, upstreamCodeOf, type UpstreamHttp, type UpstreamResponse } from '../http.ts';
import type { ZonedTime } from '../time.ts';
import { parseImportResult, toImportBody } from './import-body.ts';
import { toTask, toTaskBody, toTaskOptions } from './mapping.ts';
import { unwrapEntity, unwrapList, unwrapTaskOptions, wireTask, wireTaskOptions } from './schemas.ts';
import type { AiCustomerInput, AiImportResult, AiTask, AiTaskInput, AiTaskOptions } from './types.ts';

export interface AiCallClientOptions {
  http: UpstreamHttp;
  /** Root of the API, e.g. `https://ai.example.com` (a path prefix such as `/api` is kept). */
  baseUrl: string;
  token: string;
  /** Header carrying the token (default `authorization`). */
  authHeader?: string;
  /** Scheme before the token (default `Bearer`); `''` sends the bare token. */
  authScheme?: string;
  /** Zone of the platform's `yyyy-mm-dd hh:mm:ss` times. */
  time: ZonedTime;
}

export interface AiCallClient {
  /** `GET /v1/task/create`: caller lines, do-not-call windows, redial rules, hand-over groups, script groups. */
  getTaskOptions(): Promise<AiTaskOptions>;
  /** `GET /v1/task`: every task (the platform documents no pagination). */
  listTasks(): Promise<AiTask[]>;
  /** `POST /v1/task`. */
  createTask(input: AiTaskInput): Promise<AiTask>;
  /** `PUT /v1/task/{id}`: replaces the whole task. */
  updateTask(id: string, input: AiTaskInput): Promise<AiTask>;
  /** `GET /v1/task/destroy/{id}`. */
  deleteTask(id: string): Promise<void>;
  /** `GET /v1/task/start/{id}`: the task when the answer carries it, else null (the seed shows no answer). */
  startTask(id: string): Promise<AiTask | null>;
  /** `GET /v1/task/stop/{id}` (pause): as startTask. */
  stopTask(id: string): Promise<AiTask | null>;
  /** `POST /v1/task/import_task_customer/{id}`: body and answer as assumed in import-body.ts. */
  importCustomers(id: string, customers: readonly AiCustomerInput[]): Promise<AiImportResult>;
}

/** Longest stretch of a non-JSON error body kept as the error's message. */
const MAX_ERROR_TEXT = 300;

export function createAiCallClient(options: AiCallClientOptions): AiCallClient {
  const { http, time } = options;
  const root = options.baseUrl.replace(/\/+$/, '');
  const authHeader = (options.authHeader ?? 'authorization').toLowerCase();
  const authScheme = options.authScheme ?? 'Bearer';
  const baseHeaders: Record<string, string> = {
    // Laravel answers validation failures with a 422 JSON body only when the client asks for JSON; otherwise it
    // redirects back with the errors in the session.
    accept: 'application/json',
    [authHeader]: authScheme === '' ? options.token : `${authScheme} ${options.token}`,
  };

  const url = (path: string) => new URL(root + path);
  const id_ = (id: string) => encodeURIComponent(id);

  /** Sends one request; a non-2xx answer becomes an AiCallHttpError. */
  async function send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    operation: string,
    body?: { contentType: string; text: string },
  ): Promise<UpstreamResponse> {
    const context: UpstreamErrorContext = { upstream: 'aicall', operation };
    const headers = body ? { ...baseHeaders, 'content-type': body.contentType } : baseHeaders;
    const response = await http.request(url(path), { method, headers, body: body?.text, context });
    if (response.status < 200 || response.status > 299) {
      const error = toHttpError(operation, response);
      // The HTTP layer saw an answer; the upstream observers (operator's health, metrics) learn of the refusal here.
      http.reportRejected?.({ upstream: 'aicall', operation, method }, upstreamCodeOf(UpstreamCodeKind.Http, response.status), error.code);
      throw error;
    }
    return response;
  }

  function json(operation: string, response: UpstreamResponse): unknown {
    try {
      return JSON.parse(response.text);
    } catch (error) {
      throw new UpstreamInvalidResponseError(
        { upstream: 'aicall', operation },
        `HTTP ${response.status} body is not JSON`,
        { cause: error, excerpt: truncate(response.text, 120) },
      );
    }
  }

  function decode<T extends z.ZodType>(operation: string, schema: T, value: unknown): z.output<T> {
    const result = schema.safeParse(value);
    if (!result.success) {
      throw new UpstreamInvalidResponseError(
        { upstream: 'aicall', operation },
        truncate(z.prettifyError(result.error).replace(/\s*\n\s*/g, ' '), 500),
        { cause: result.error },
      );
    }
    return result.data;
  }

  async function taskCall(method: 'POST' | 'PUT', path: string, operation: string, input: AiTaskInput) {
    const response = await send(method, path, operation, {
      contentType: 'application/json',
      text: JSON.stringify(toTaskBody(input)),
    });
    return toTask(decode(operation, wireTask, unwrapEntity(json(operation, response), 'uuid')), time);
  }

  /** start/stop: the seed shows no answer, so the task is read from it when it is there and not demanded. */
  async function toggle(path: string, operation: string): Promise<AiTask | null> {
    const response = await send('GET', path, operation);
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      return null;
    }
    const entity = unwrapEntity(body, 'uuid');
    if (entity === null || typeof entity !== 'object' || !('uuid' in entity)) return null;
    return toTask(decode(operation, wireTask, entity), time);
  }

  return {
    async getTaskOptions() {
      const op = 'GET /v1/task/create';
      const response = await send('GET', '/v1/task/create', op);
      return toTaskOptions(decode(op, wireTaskOptions, unwrapTaskOptions(json(op, response))), time);
    },

    async listTasks() {
      const op = 'GET /v1/task';
      const response = await send('GET', '/v1/task', op);
      return decode(op, z.array(wireTask), unwrapList(json(op, response))).map((wire) => toTask(wire, time));
    },

    createTask(input) {
      return taskCall('POST', '/v1/task', 'POST /v1/task', input);
    },

    updateTask(id, input) {
      return taskCall('PUT', `/v1/task/${id_(id)}`, 'PUT /v1/task/{id}', input);
    },

    async deleteTask(id) {
      await send('GET', `/v1/task/destroy/${id_(id)}`, 'GET /v1/task/destroy/{id}');
    },

    startTask(id) {
      return toggle(`/v1/task/start/${id_(id)}`, 'GET /v1/task/start/{id}');
    },

    stopTask(id) {
      return toggle(`/v1/task/stop/${id_(id)}`, 'GET /v1/task/stop/{id}');
    },

    async importCustomers(id, customers) {
      const { contentType, body } = toImportBody(customers);
      const response = await send(
        'POST',
        `/v1/task/import_task_customer/${id_(id)}`,
        'POST /v1/task/import_task_customer/{id}',
        { contentType, text: body },
      );
      return parseImportResult(response.text);
    },
  };
}

/**
 * A non-2xx answer → AiCallHttpError. ASSUMPTION (docs/aicall-assumptions.md, "Errors"): a JSON body in Laravel's
 * shape, `{message, errors: {field: [messages]}}`; `error` or `msg` stand in for a missing `message`; a body that is
 * not JSON is kept, truncated, as the message.
 */
export function toHttpError(operation: string, response: Pick<UpstreamResponse, 'status' | 'text'>): AiCallHttpError {
  let message = '';
  const fieldErrors: Record<string, string[]> = {};
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error', 'msg'] as const) {
      const value = record[key];
      if (typeof value === 'string' && value !== '') {
        message = value;
        break;
      }
    }
    const errors = record.errors;
    if (errors !== null && typeof errors === 'object' && !Array.isArray(errors)) {
      for (const [field, messages] of Object.entries(errors as Record<string, unknown>)) {
        const list = (Array.isArray(messages) ? messages : [messages]).filter(
          (m): m is string | number => typeof m === 'string' || typeof m === 'number',
        );
        if (list.length > 0) fieldErrors[field] = list.map(String);
      }
    }
    if (message === '' && Object.keys(fieldErrors).length === 0) message = truncate(response.text, MAX_ERROR_TEXT);
  } else {
    message = truncate(response.text.trim(), MAX_ERROR_TEXT);
  }
  return new AiCallHttpError(operation, response.status, message, fieldErrors);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
