import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { MAX_NUMBERS_PER_CALL, SipService } from '../src/upstream/sip/codes.ts';
import { cpuMs, serve } from './ipc.ts';

/**
 * The process under test of bench/upload.ts: the gateway (SQLite in a temporary file, an operator key), and the
 * anchor in the same process so both get the same core: the numbers as the gateway would send them, each chunk
 * JSON-encoded, put in a multipart form (the gateway's default SIP_FORM_ENCODING; URLSearchParams would
 * percent-encode every quote and brace of the JSON, ~1.6x the CPU) and POSTed straight to the simulator with undici.
 */

export interface UploadStart {
  simUrl: string;
  credentials: { appId: string; accessKey: string };
  apiKey: string;
}

const CHUNK = MAX_NUMBERS_PER_CALL;

const dir = mkdtempSync(join(tmpdir(), 'gateway-upload-bench-'));
let app: App | undefined;
let pool: Pool | undefined;
let simUrl = '';
let credentials: UploadStart['credentials'] = { appId: '', accessKey: '' };
let prepared: Array<{ phone: string; customerId: string }> = [];

/** One SIP call, its fields as multipart/form-data built in one string (what the gateway sends); `data.result`. */
async function postForm(fields: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const boundary = `------------------------${randomBytes(12).toString('hex')}`;
  let form = '';
  for (const [name, value] of Object.entries(fields)) form += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const { body, statusCode } = await pool!.request({
    path: new URL(simUrl).pathname,
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'application/json' },
    body: `${form}--${boundary}--\r\n`,
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`${fields.service} answered HTTP ${statusCode}`);
  return (JSON.parse(text) as { data?: { result?: Record<string, unknown> } }).data?.result;
}

serve(
  {
    async start(start: UploadStart) {
      ({ simUrl, credentials } = start);
      const config = loadConfig({
        SIP_API_URL: simUrl,
        SIP_APPID: credentials.appId,
        SIP_ACCESSKEY: credentials.accessKey,
        DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
        GATEWAY_API_KEYS: `${start.apiKey}:operator`,
        LOG_LEVEL: 'silent',
      });
      app = await buildApp(config, createLogger('silent'));
      pool = new Pool(new URL(simUrl).origin, { connections: 1 });
      return { gatewayUrl: await app.start(0, '127.0.0.1') };
    },
    /** Makes the anchor's entries (outside the measured part): what the gateway has after reading and checking. */
    prepareAnchor({ phones }: { phones: number }) {
      prepared = Array.from({ length: phones }, (_, i) => ({ phone: String(13_000_000_000 + i), customerId: `C${i}` }));
      return prepared.length;
    },
    /** The anchor: Login, TaskCreat with the first chunk, TaskAdd with the rest; returns the calls made. */
    async anchor({ assignType, assignee }: { assignType: number; assignee: string }) {
      const login = await postForm({ service: SipService.Login, appid: credentials.appId, accesskey: credentials.accessKey });
      const token = String(login?.token ?? '');
      const now = Math.floor(Date.now() / 1000);
      let taskId = '';
      let calls = 1;
      for (let start = 0; start < prepared.length; start += CHUNK) {
        const telphone = JSON.stringify(
          prepared.slice(start, start + CHUNK).map((n) => ({ phone: n.phone, time: now, userid: '', memberid: '', chengshudu: '', customuuid: n.customerId })),
        );
        if (start === 0) {
          const created = await postForm({
            service: SipService.TaskCreate, token, assigntype: String(assignType), assignagent: assignee, telphone, taskscale: '1:1', disnumber: '', taskname: 'anchor',
          });
          taskId = String(created?.taskid ?? '');
        } else {
          await postForm({ service: SipService.TaskAdd, token, taskid: taskId, telphone });
        }
        calls++;
      }
      if (!token || !taskId) throw new Error('the anchor could not log in or create its task');
      return calls;
    },
    cpu: () => cpuMs(),
  },
  async () => {
    await pool?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
);
