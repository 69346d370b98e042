import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPubSub } from '../../src/events/pubsub.ts';
import { type StartupSettings, startupErrorDetails, startupErrorLine } from '../../src/startup-errors.ts';
import { createDatabase } from '../../src/store/index.ts';

/**
 * Start-up failures become one line naming the setting to change. Where the error can be had for real on loopback
 * (a taken port, a refused PostgreSQL or Redis connection, an unusable SQLite path) it is; PostgreSQL's SQLSTATE
 * errors and privileged ports are built in node-postgres's and Node's shapes.
 */

const SECRET = 's3cret-pw-0123';
const dir = mkdtempSync(join(tmpdir(), 'startup-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settings(overrides: Partial<StartupSettings> = {}): StartupSettings {
  return { port: 4000, host: '127.0.0.1', databaseUrl: 'file:./data/gateway.db', redisUrl: null, simulatorPort: null, ...overrides };
}

function listen(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = await listen(0);
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const shaped = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

function expectOneLine(line: string): void {
  expect(line).toMatch(/^Gateway failed to start: /);
  expect(line).not.toContain('\n');
  expect(line).not.toContain(SECRET);
  expect(line).not.toMatch(/\bat .+:\d+:\d+/); // no stack frame
}

describe('the listening port', () => {
  it('a taken PORT names the port, the address and the setting', async () => {
    const holder = await listen(0);
    try {
      const port = portOf(holder);
      const error = await rejection(listen(port));
      const line = startupErrorLine(error, settings({ port }));
      expectOneLine(line);
      expect(line).toBe(`Gateway failed to start: port ${port} on 127.0.0.1 is already in use (set PORT to another port)`);
    } finally {
      holder.close();
    }
  });

  it('a privileged port (EACCES) says so', () => {
    const error = shaped('listen EACCES: permission denied 0.0.0.0:80', { code: 'EACCES', syscall: 'listen', address: '0.0.0.0', port: 80 });
    const line = startupErrorLine(error, settings({ port: 80, host: '0.0.0.0' }));
    expectOneLine(line);
    expect(line).toContain('port 80 on 0.0.0.0 needs privileges');
    expect(line).toContain('set PORT to 1024 or above');
  });

  it("the demo simulator's port names SIMULATOR_PORT", () => {
    const error = shaped('listen EACCES: permission denied 127.0.0.1:81', { code: 'EACCES', syscall: 'listen', address: '127.0.0.1', port: 81 });
    expect(startupErrorLine(error, settings({ simulatorPort: 81 }))).toContain('set SIMULATOR_PORT to 1024 or above');
  });

  it('a HOST that is not an address of this machine, or does not resolve, names HOST', () => {
    const notMine = shaped('listen EADDRNOTAVAIL: address not available 10.9.9.9:4000', {
      code: 'EADDRNOTAVAIL',
      syscall: 'listen',
      address: '10.9.9.9',
      port: 4000,
    });
    expect(startupErrorLine(notMine, settings({ host: '10.9.9.9' }))).toContain('10.9.9.9 is not an address of this machine (set HOST');
    const unresolved = shaped('getaddrinfo ENOTFOUND gateway.invalid', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'gateway.invalid' });
    const line = startupErrorLine(unresolved, settings({ host: 'gateway.invalid' }));
    expectOneLine(line);
    expect(line).toContain('HOST gateway.invalid cannot be resolved (ENOTFOUND)');
  });
});

describe('the database', () => {
  it('PostgreSQL refusing the connection names DATABASE_URL and not its value', async () => {
    const databaseUrl = `postgres://gateway:${SECRET}@127.0.0.1:${await closedPort()}/gateway`;
    const error = await rejection(createDatabase(databaseUrl));
    const line = startupErrorLine(error, settings({ databaseUrl }));
    expectOneLine(line);
    expect(line).toContain('the PostgreSQL server in DATABASE_URL refused the connection');
    expect(line).not.toContain('gateway@');
  });

  it('PostgreSQL errors by SQLSTATE, bare or wrapped by the migration', () => {
    const databaseUrl = `postgres://gateway:${SECRET}@db.internal:5432/gateway`;
    const auth = shaped('password authentication failed for user "gateway"', { severity: 'FATAL', code: '28P01' });
    expect(startupErrorLine(auth, settings({ databaseUrl }))).toBe(
      'Gateway failed to start: PostgreSQL refused the user or password in DATABASE_URL (SQLSTATE 28P01)',
    );
    const missing = new Error('database migration 0001 failed: database "gateway" does not exist', {
      cause: shaped('database "gateway" does not exist', { severity: 'FATAL', code: '3D000' }),
    });
    expect(startupErrorLine(missing, settings({ databaseUrl }))).toContain('the database named in DATABASE_URL does not exist');
    const unresolved = shaped('getaddrinfo ENOTFOUND db.internal', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'db.internal' });
    expect(startupErrorLine(unresolved, settings({ databaseUrl }))).toBe(
      'Gateway failed to start: the host in DATABASE_URL cannot be resolved (ENOTFOUND)',
    );
  });

  it('a SQLite path whose directory cannot be made names DATABASE_URL', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const databaseUrl = `file:${file}/data/gateway.db`;
    const error = await rejection(createDatabase(databaseUrl));
    const line = startupErrorLine(error, settings({ databaseUrl }));
    expectOneLine(line);
    expect(line).toMatch(/^Gateway failed to start: the directory of the SQLite file in DATABASE_URL cannot be created \((ENOTDIR|EEXIST)\)/);
  });

  it('a SQLite file that cannot be opened names DATABASE_URL', async () => {
    const databaseUrl = `file:${dir}`; // a directory, not a file
    const error = await rejection(createDatabase(databaseUrl));
    const line = startupErrorLine(error, settings({ databaseUrl }));
    expectOneLine(line);
    expect(line).toContain('the SQLite file in DATABASE_URL cannot be opened for writing (SQLITE_CANTOPEN)');
  });
});

describe('Redis', () => {
  it('an unreachable Redis names REDIS_URL and not its value', async () => {
    const redisUrl = `redis://:${SECRET}@127.0.0.1:${await closedPort()}`;
    const error = await rejection(createPubSub({ redisUrl, channelPrefix: 'x' }));
    const line = startupErrorLine(error, settings({ redisUrl }));
    expectOneLine(line);
    expect(line).toContain('cannot connect to the Redis server in REDIS_URL (ECONNREFUSED)');
  });
});

describe('anything else', () => {
  it("gives the error's first line, redacted, and where the stack is", () => {
    const error = new Error(`could not reach postgres://gateway:${SECRET}@db/x\nsecond line`);
    const line = startupErrorLine(error, null);
    expectOneLine(line);
    expect(line).toContain('could not reach postgres://[redacted]@db/x');
    expect(line).toMatch(/\(LOG_LEVEL=debug prints the stack\)$/);
    expect(startupErrorLine('a string', null)).toBe('Gateway failed to start: a string (LOG_LEVEL=debug prints the stack)');
  });

  it('the details (LOG_LEVEL=debug) carry the stack and the causes, redacted and indented', () => {
    const error = new Error('outer', { cause: new Error(`inner postgres://u:${SECRET}@h/db`) });
    const details = startupErrorDetails(error);
    expect(details).toMatch(/^ {4}Error: outer\n {8}at /);
    expect(details).toContain('caused by: Error: inner');
    expect(details).not.toContain(SECRET);
  });
});
