import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Disposer } from './disposer.ts';

/** A DATABASE_URL for a fresh SQLite file in a temporary directory, removed when the disposer runs. */
export function tempDatabaseUrl(disposer: Disposer): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  disposer.add(() => rmSync(dir, { recursive: true, force: true }));
  return `file:${join(dir, 'gateway.db')}`;
}
