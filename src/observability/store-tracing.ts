import type { CompiledQuery } from 'kysely';
import type { DialectName } from '../store/migrations.ts';
import type { QueryObserver } from '../store/database.ts';
import type { TraceKit } from './trace-kit.ts';

/**
 * A span per store statement (docs/operations.md, "Traces"), named `<operation> <table>` (`SELECT agent_status`,
 * `INSERT events`, `COMMIT`), a child of whatever runs it: a GraphQL operation's span, a callback ingestion's span,
 * or a root span of its own for background work (reconciliation, pruning, catch-up). The statement's text is kept
 * (placeholders only); its parameters never are: they hold phone numbers and callback payloads.
 *
 * Attribute names are OpenTelemetry's database semantic conventions, written out: this module is part of the main
 * bundle and imports nothing of OpenTelemetry at run time (trace-kit.ts says why).
 *
 * It watches the driver's connection (src/store/database.ts `observeQueries`), so the statements a SQLite transaction
 * runs on the connection directly (the callback path) are seen as well as Kysely's.
 */

/** Longest statement text kept on a span: `in (?, ?, …)` lists of hundreds of placeholders say nothing more. */
const MAX_QUERY_TEXT = 1_000;
/** Descriptions cached per SQL text (the repositories send the same few texts again and again); bounded. */
const MAX_CACHED = 500;

const DB_SYSTEM: Record<DialectName, string> = { sqlite: 'sqlite', postgres: 'postgresql' };
const ATTR_DB_SYSTEM_NAME = 'db.system.name';
const ATTR_DB_OPERATION_NAME = 'db.operation.name';
const ATTR_DB_COLLECTION_NAME = 'db.collection.name';
const ATTR_DB_QUERY_TEXT = 'db.query.text';

interface StatementDescription {
  name: string;
  operation: string;
  table: string | null;
  text: string;
}

const FIRST_WORD = /^\s*([A-Za-z]+)/;
const TABLE_AFTER: Record<string, RegExp> = {
  SELECT: /\bfrom\s+"?([A-Za-z_][\w]*)"?/i,
  DELETE: /\bfrom\s+"?([A-Za-z_][\w]*)"?/i,
  INSERT: /\binto\s+"?([A-Za-z_][\w]*)"?/i,
  UPDATE: /^\s*update\s+"?([A-Za-z_][\w]*)"?/i,
  WITH: /\bfrom\s+"?([A-Za-z_][\w]*)"?/i,
};

export function describeStatement(sqlText: string): StatementDescription {
  const operation = (FIRST_WORD.exec(sqlText)?.[1] ?? 'SQL').toUpperCase();
  const table = TABLE_AFTER[operation]?.exec(sqlText)?.[1] ?? null;
  return {
    name: table ? `${operation} ${table}` : operation,
    operation,
    table,
    text: sqlText.length > MAX_QUERY_TEXT ? `${sqlText.slice(0, MAX_QUERY_TEXT)}…` : sqlText,
  };
}

export function storeQueryObserver(kit: TraceKit): QueryObserver {
  const descriptions = new Map<string, StatementDescription>();
  function describe(sqlText: string): StatementDescription {
    let description = descriptions.get(sqlText);
    if (description === undefined) {
      description = describeStatement(sqlText);
      if (descriptions.size >= MAX_CACHED) descriptions.clear();
      descriptions.set(sqlText, description);
    }
    return description;
  }
  return (query: CompiledQuery, dialect: DialectName) => {
    const description = describe(query.sql);
    const span = kit.startClient(description.name, {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM[dialect],
      [ATTR_DB_OPERATION_NAME]: description.operation,
      [ATTR_DB_QUERY_TEXT]: description.text,
      ...(description.table ? { [ATTR_DB_COLLECTION_NAME]: description.table } : {}),
    });
    return (error?: unknown) => {
      if (error !== undefined) {
        // The driver's error code or class only: a message may quote the values of a failed constraint.
        const type = (error as { code?: unknown }).code;
        const errorType = typeof type === 'string' ? type : error instanceof Error ? error.name : 'Error';
        kit.fail(span, errorType);
      }
      span.end();
    };
  };
}
