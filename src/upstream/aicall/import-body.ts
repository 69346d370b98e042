import { redactForClient } from '../../redact.ts';
import type { AiCustomerInput, AiImportResult, AiRefusedCustomer } from './types.ts';

/**
 * `POST /v1/task/import_task_customer/{task_id}` — the seed names the route and nothing else: no body, no answer.
 * Everything the gateway assumes about it lives in this file (docs/aicall-assumptions.md, "Import").
 */

export interface ImportRequestBody {
  contentType: string;
  body: string;
}

/**
 * ASSUMPTION (the only place it is made): the body is a JSON array with one object per number, the number under
 * `phone` and each custom field beside it under its own name: `[{"phone":"13800000000","name":"张三"}, …]`.
 * A custom field called `phone` cannot override the number. Should the platform want another shape (a wrapper key,
 * `mobile` instead of `phone`, a CSV or Excel upload), this function is the one to change.
 */
export function toImportBody(customers: readonly AiCustomerInput[]): ImportRequestBody {
  const rows = customers.map((customer) => ({ ...(customer.fields ?? {}), phone: customer.phone }));
  return { contentType: 'application/json', body: JSON.stringify(rows) };
}

/** Keys under which an answer may state how many numbers were taken, in order of preference. */
const ACCEPTED_KEYS = ['accepted', 'success', 'success_count', 'successCount', 'imported', 'imported_count', 'count'];
/** Keys under which an answer may list the numbers it refused. */
const REFUSED_KEYS = ['refused', 'fail_list', 'failed', 'failures', 'fail', 'invalid', 'errors', 'error_list'];
const PHONE_KEYS = ['phone', 'mobile', 'number', 'tel'];
const REASON_KEYS = ['reason', 'message', 'msg', 'error'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function count(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

function text(v: unknown): string | null {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && typeof v[0] === 'string') return v.join('; ');
  return null;
}

function firstText(entry: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = text(entry[key]);
    if (value !== null) return value;
  }
  return null;
}

function refusedEntry(entry: unknown): AiRefusedCustomer {
  if (isRecord(entry)) {
    // The reason is platform text that reaches clients: redacted (src/redact.ts).
    const reason = firstText(entry, REASON_KEYS);
    return { phone: firstText(entry, PHONE_KEYS), reason: reason === null ? null : redactForClient(reason), raw: entry };
  }
  return { phone: text(entry), reason: null, raw: entry };
}

/**
 * The answer to an import, read leniently: the body itself and its `data` object are searched for an accepted count
 * and a list of refused entries (each an object with a phone and a reason, or a bare number). Whatever is not found
 * stays null or empty; `raw` keeps the parsed body, or the text when it is not JSON.
 */
export function parseImportResult(text_: string): AiImportResult {
  let raw: unknown = text_;
  try {
    raw = text_.trim() === '' ? null : JSON.parse(text_);
  } catch {
    // Not JSON: kept as text.
  }
  const scopes = [raw, isRecord(raw) ? raw.data : undefined].filter(isRecord);
  let accepted: number | null = null;
  let refused: AiRefusedCustomer[] = [];
  let message: string | null = null;
  for (const scope of scopes) {
    if (accepted === null) {
      for (const key of ACCEPTED_KEYS) {
        accepted = count(scope[key]);
        if (accepted !== null) break;
      }
    }
    if (refused.length === 0) {
      for (const key of REFUSED_KEYS) {
        const entries = scope[key];
        if (Array.isArray(entries)) {
          refused = entries.map(refusedEntry);
          break;
        }
      }
    }
    message ??= typeof scope.message === 'string' ? scope.message : typeof scope.msg === 'string' ? scope.msg : null;
  }
  if (typeof raw === 'string' && raw !== '') message ??= raw.slice(0, 500);
  return { accepted, refused, message: message === null ? null : redactForClient(message), raw };
}
