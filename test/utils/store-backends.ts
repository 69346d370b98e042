import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { type Store, type StoreOptions, createDatabase } from '../../src/store/index.ts';
import { postgresUrl } from './backends.ts';

/**
 * The databases the store tests run against: always SQLite (a temp file), and PostgreSQL too when DATABASE_URL is
 * postgres://… (otherwise PostgreSQL's tests are reported as skipped, see `describeEachBackend`). Each test database is fresh and private: a new file, or a new schema reached through `search_path`,
 * so parallel test files and parallel runs never see each other's rows.
 */

export interface TestDatabase {
  readonly url: string;
  /** Opens (and migrates) one more Store on this database: each is its own connection or pool. */
  open(options?: StoreOptions): Promise<Store>;
  /** Closes every Store opened here and deletes the database. */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

function tracked(url: string, drop: () => Promise<void> | void): TestDatabase {
  const stores: Store[] = [];
  return {
    url,
    async open(options) {
      const store = await createDatabase(url, options);
      stores.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await drop();
    },
  };
}

const sqlite: StoreBackend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-store-'));
    // A nested path also checks that the store creates the parent directory.
    return tracked(`file:${join(dir, 'nested', 'gateway.db')}`, () => rmSync(dir, { recursive: true, force: true }));
  },
};

function postgres(baseUrl: string): StoreBackend {
  async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }
  return {
    name: 'postgres',
    async create() {
      const schema = `store_test_${randomUUID().replaceAll('-', '')}`;
      await admin((c) => c.query(`create schema "${schema}"`));
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return tracked(url.toString(), () => admin((c) => c.query(`drop schema "${schema}" cascade`)).then(() => undefined));
    },
  };
}

/** The backends this machine can run: SQLite, and PostgreSQL when DATABASE_URL is postgres://…. */
export function storeBackends(): StoreBackend[] {
  const url = postgresUrl();
  return url ? [sqlite, postgres(url)] : [sqlite];
}

/**
 * `describe.each` over both backends, where a backend this machine lacks still declares its tests, as skipped, so the
 * summary shows what was not covered instead of the tests vanishing. `$name` in the title is the backend's name.
 */
export function describeEachBackend(title: string, body: (backend: StoreBackend) => void): void {
  const url = postgresUrl();
  const unavailable: StoreBackend = {
    name: 'postgres',
    create: () => Promise.reject(new Error('PostgreSQL is not configured (DATABASE_URL)')),
  };
  for (const backend of [sqlite, url ? postgres(url) : unavailable]) {
    describe.skipIf(backend === unavailable)(title.replaceAll('$name', backend.name), () => body(backend));
  }
}
