import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTrustedDocuments, TrustedDocumentsError } from '../../src/server/trusted-documents.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';

/**
 * Trusted documents (docs/security.md, "Trusted documents"): persisted documents run by hash on every transport (JSON
 * POST through the fast path, GET through yoga, graphql-ws); with TRUSTED_DOCUMENTS=on document text is refused with
 * PERSISTED_QUERY_ONLY except from keys marked `:arbitrary`. And the two fields a front-end builds on: what its key
 * may do (`gateway.access`) and where to resume (`gateway.latestEventId`).
 */

const ACCESS = 'query Access { gateway { access { role arbitraryOperations } } }';
const VERSION = 'query Version { gateway { version } }';
const LIVE = 'subscription Live($after: ID) { agentStatusChanged(after: $after) { eventId extension state } }';
const LATEST = 'query Latest { gateway { latestEventId(topic: AGENT_STATUS) } }';
const DOCUMENTS = [ACCESS, VERSION, LIVE, LATEST];
const SECRET = 'trusted-documents-callback-01';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (text: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(text) } });

describe('trusted documents', () => {
  const disposer = createDisposer();
  afterEach(() => disposer.dispose());

  function manifest(documents: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    disposer.add(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'persisted-documents.json');
    writeFileSync(path, JSON.stringify(Object.fromEntries(documents.map((text) => [sha256(text), text]))));
    return path;
  }

  async function gateway(only: boolean): Promise<TestGateway> {
    return startGateway(disposer, {
      env: {
        TRUSTED_DOCUMENTS: only ? 'on' : 'off',
        TRUSTED_DOCUMENTS_FILES: manifest(DOCUMENTS),
        CALLBACK_SECRET: SECRET,
        GATEWAY_API_KEYS: `${KEYS.viewer}:viewer,${KEYS.operator}:operator,${KEYS.admin}:admin:arbitrary`,
      },
    });
  }

  async function post(gw: TestGateway, body: object, key: keyof typeof KEYS) {
    const response = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> }) };
  }

  async function get(gw: TestGateway, params: Record<string, string>, key: keyof typeof KEYS) {
    const response = await fetch(`${gw.url}/graphql?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${KEYS[key]}` } });
    return { status: response.status, ...((await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> }) };
  }

  it('with TRUSTED_DOCUMENTS=on runs hashes on every transport and refuses text from keys not marked arbitrary', async () => {
    const gw = await gateway(true);
    const answeredBefore = gw.app.fastPath!.answered;
    // JSON POST by hash: answered by the fast path, as text would be.
    expect(await post(gw, { extensions: persisted(ACCESS) }, 'viewer')).toEqual({
      status: 200,
      data: { gateway: { access: { role: 'VIEWER', arbitraryOperations: false } } },
    });
    expect(gw.app.fastPath!.answered).toBe(answeredBefore + 1);
    // GET by hash, through yoga's own parameter handling.
    const byGet = await get(gw, { extensions: JSON.stringify(persisted(VERSION)) }, 'operator');
    expect(byGet).toMatchObject({ status: 200, data: { gateway: { version: expect.any(String) } } });

    const refused = await post(gw, { query: VERSION }, 'viewer');
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect((await get(gw, { query: VERSION }, 'operator')).errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    // The key marked :arbitrary (what GraphiQL is used with) still sends text.
    expect(await post(gw, { query: ACCESS }, 'admin')).toEqual({ status: 200, data: { gateway: { access: { role: 'ADMIN', arbitraryOperations: true } } } });

    // graphql-ws: text refused as an operation error (the socket goes on), the hash runs.
    const client = wsClient(disposer, gw, 'viewer');
    const textError = createDeferred<unknown>();
    client.subscribe({ query: LIVE }, { next: () => textError.reject(new Error('ran')), error: textError.resolve, complete: () => undefined });
    expect(((await textError.promise) as Array<{ extensions?: { code?: string } }>).map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    const event = createDeferred<{ extension: string; state: string }>();
    client.subscribe<{ agentStatusChanged: { extension: string; state: string } }>(
      { query: '', extensions: persisted(LIVE), variables: { after: '0' } },
      { next: (result) => event.resolve(result.data!.agentStatusChanged), error: event.reject, complete: () => undefined },
    );
    const callback = await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'trusted-1' }),
    });
    expect(callback.status).toBe(200);
    expect(await event.promise).toEqual({ eventId: expect.stringMatching(/^[1-9]\d*$/), extension: EXTENSION_STATUS_COMMON.extnumber, state: 'RINGING' });
  });

  it('without TRUSTED_DOCUMENTS accepts both, and refuses hashes it does not know or that name another text', async () => {
    const gw = await gateway(false);
    expect(await post(gw, { query: ACCESS }, 'viewer')).toEqual({ status: 200, data: { gateway: { access: { role: 'VIEWER', arbitraryOperations: true } } } });
    expect((await post(gw, { extensions: persisted(VERSION) }, 'viewer')).data).toEqual({ gateway: { version: expect.any(String) } });
    // Refused before anything ran: 400 with the code, as a parse error is.
    const codes = async (body: object) => {
      const answer = await post(gw, body, 'viewer');
      expect(answer.status).toBe(400);
      return answer.errors?.map((e) => e.extensions?.code);
    };
    expect(await codes({ extensions: persisted('{ gateway { demo } }') })).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await codes({ extensions: { persistedQuery: { version: 1, sha256Hash: 'not-a-hash' } } })).toEqual(['INVALID_INPUT']);
    expect(await codes({ extensions: { persistedQuery: { version: 2, sha256Hash: sha256(VERSION) } } })).toEqual(['INVALID_INPUT']);
    expect(await codes({ query: ACCESS, extensions: persisted(VERSION) })).toEqual(['INVALID_INPUT']);
    // Text equal to the document its hash names runs (an Apollo client's retry sends both).
    expect((await post(gw, { query: VERSION, extensions: persisted(VERSION) }, 'viewer')).data).toEqual({ gateway: { version: expect.any(String) } });
  });

  it('says where to resume: the newest agent-status event id, null before any', async () => {
    const gw = await gateway(false);
    expect((await post(gw, { query: LATEST }, 'viewer')).data).toEqual({ gateway: { latestEventId: null } });
    const ids: string[] = [];
    const client = wsClient(disposer, gw, 'viewer');
    const two = createDeferred<void>();
    client.subscribe<{ agentStatusChanged: { eventId: string } }>(
      { query: LIVE, variables: { after: '0' } },
      {
        next: (result) => {
          ids.push(result.data!.agentStatusChanged.eventId);
          if (ids.length === 2) two.resolve();
        },
        error: two.reject,
        complete: () => undefined,
      },
    );
    for (const [uuid, status] of [['resume-1', 'ring'], ['resume-1', 'answer']]) {
      const response = await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid, status }),
      });
      expect(response.status).toBe(200);
    }
    await two.promise;
    expect((await post(gw, { query: LATEST }, 'viewer')).data).toEqual({ gateway: { latestEventId: ids[1] } });
  });

  it('takes a manifest rebuilt after the start when an unknown hash comes, at most once a second; a bad rebuild changes nothing', () => {
    const path = manifest([VERSION]);
    let clock = 0;
    const failures: string[] = [];
    const documents = loadTrustedDocuments({
      config: { only: true, files: [], arbitraryKeys: new Set() },
      builtIn: pathToFileURL(path),
      onReloadFailed: (error) => failures.push(error.message),
      now: () => clock,
    });
    const byHash = (text: string) => ({ extensions: persisted(text) });
    const codeOf = (text: string) => {
      try {
        documents.documentFor(byHash(text), null);
        return 'ran';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    // A build renames its new manifest into place.
    const rebuild = (content: string) => {
      writeFileSync(`${path}.next`, content);
      renameSync(`${path}.next`, path);
    };
    rebuild(JSON.stringify(Object.fromEntries([VERSION, ACCESS].map((text) => [sha256(text), text]))));
    clock = 999;
    expect(codeOf(ACCESS)).toBe('PERSISTED_QUERY_NOT_FOUND');
    clock = 1_000;
    expect(codeOf(ACCESS)).toBe('ran');
    expect(documents.size).toBe(2);
    rebuild(JSON.stringify({ [sha256(LATEST)]: ACCESS }));
    clock = 2_000;
    expect(codeOf(LATEST)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(failures).toEqual([`${path}: ${sha256(LATEST)} is not the SHA-256 of its document`]);
    expect([codeOf(VERSION), codeOf(ACCESS), documents.size]).toEqual(['ran', 'ran', 2]);
  });

  it('refuses at start a manifest whose hash is not its text, and TRUSTED_DOCUMENTS=on with nothing persisted', () => {
    const good = manifest([VERSION]);
    const nowhere = new URL('file:///nonexistent/persisted-documents.json');
    const bad = manifest([VERSION]).replace(/persisted-documents\.json$/, 'bad.json');
    writeFileSync(bad, JSON.stringify({ [sha256(VERSION)]: ACCESS }));
    expect(() => loadTrustedDocuments({ config: { only: false, files: [bad], arbitraryKeys: new Set() }, builtIn: nowhere })).toThrow(
      new TrustedDocumentsError(`${bad}: ${sha256(VERSION)} is not the SHA-256 of its document`),
    );
    expect(() => loadTrustedDocuments({ config: { only: true, files: [], arbitraryKeys: new Set() }, builtIn: nowhere })).toThrow(/no document is persisted/);
    expect(loadTrustedDocuments({ config: { only: true, files: [good], arbitraryKeys: new Set() }, builtIn: nowhere }).size).toBe(1);
  });
});
