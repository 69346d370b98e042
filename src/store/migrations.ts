import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/**
 * Migrations live in code, keyed by name in the order they must run: nothing is read from disk at run time, so a
 * bundled or installed gateway migrates the same way as a checkout. Never edit a migration that has shipped; add one.
 *
 * Both dialects get the same schema: text ids, `bigint` epoch-ms times, `integer` counts, JSON as `text`. The
 * differences are how an auto-increment key is spelled and how the status-history trigger is written.
 */

export type DialectName = 'sqlite' | 'postgres';

// Migrations take Kysely<any> on purpose: they describe the schema as it was then, not the current `Database` type.
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_predictive_tasks_and_idempotency': {
      async up(db: Kysely<any>) {
        // ifNotExists: SQLite DDL runs outside a transaction in Kysely's migrator, so a start interrupted halfway
        // must be able to run this again.
        await db.schema
          .createTable('predictive_tasks')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('name_folded', 'text', (c) => c.notNull())
          .addColumn('assignment_type', 'text', (c) => c.notNull())
          .addColumn('assignee', 'text', (c) => c.notNull())
          .addColumn('pacing_agents', 'integer', (c) => c.notNull())
          .addColumn('pacing_calls', 'integer', (c) => c.notNull())
          .addColumn('caller_numbers', 'text', (c) => c.notNull())
          .addColumn('submitted_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('accepted_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('refused_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_source', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // Serves the newest-first keyset pagination (scanned backwards) with and without a status filter.
        await db.schema
          .createIndex('predictive_tasks_created_idx')
          .ifNotExists()
          .on('predictive_tasks')
          .columns(['created_at', 'id'])
          .execute();

        await db.schema
          .createTable('predictive_task_status_history')
          .ifNotExists()
          .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('task_id', 'text', (c) => c.notNull().references('predictive_tasks.id').onDelete('cascade'))
          .addColumn('from_status', 'text')
          .addColumn('to_status', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('predictive_task_status_history_task_idx')
          .ifNotExists()
          .on('predictive_task_status_history')
          .columns(['task_id', 'id'])
          .execute();

        await createStatusHistoryTriggers(db, dialect);

        await db.schema
          .createTable('idempotency_keys')
          .ifNotExists()
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('result', 'text')
          .addColumn('claimed_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          // The primary key is what makes claim() race-safe: two inserts of one key cannot both succeed.
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
          .execute();
        await db.schema
          .createIndex('idempotency_keys_expires_idx')
          .ifNotExists()
          .on('idempotency_keys')
          .column('expires_at')
          .execute();
      },
    },

    // Callbacks: the append-only event log and the projections built from it (docs/events.md).
    '0002_events_and_projections': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('events')
          .ifNotExists()
          .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
            // SQLite AUTOINCREMENT: ids are never reused, even after the newest row is deleted.
            dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('dedupe_key', 'text', (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'bigint')
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          // Null while the projections have not taken the event in; then 1 (it changed state) or 0.
          .addColumn('applied', 'integer')
          .addColumn('effect', 'text')
          // What makes a callback sent twice one row: the insert does ON CONFLICT DO NOTHING on it.
          .addUniqueConstraint('events_topic_dedupe_key_uq', ['topic', 'dedupe_key'])
          .execute();
        await db.schema.createIndex('events_topic_id_idx').ifNotExists().on('events').columns(['topic', 'id']).execute();
        await db.schema
          .createIndex('events_topic_subject_id_idx')
          .ifNotExists()
          .on('events')
          .columns(['topic', 'subject', 'id'])
          .execute();
        // Small by construction (events wait here for milliseconds): catch-up and the replay horizon read it.
        await db.schema
          .createIndex('events_pending_idx')
          .ifNotExists()
          .on('events')
          .columns(['topic', 'id'])
          .where(sql.ref('applied'), 'is', null)
          .execute();

        await db.schema
          .createTable('agent_status')
          .ifNotExists()
          .addColumn('extension', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_rank', 'integer', (c) => c.notNull())
          .addColumn('leg', 'text', (c) => c.notNull())
          .addColumn('call_uuid', 'text', (c) => c.notNull())
          .addColumn('b_uuid', 'text')
          .addColumn('direction', 'text')
          .addColumn('caller', 'text')
          .addColumn('callee', 'text')
          .addColumn('display_number', 'text')
          .addColumn('call_method', 'text')
          .addColumn('customer_id', 'text')
          .addColumn('company_code', 'text')
          .addColumn('call_started_at', 'bigint', (c) => c.notNull())
          .addColumn('last_event_id', 'bigint', (c) => c.notNull())
          .addColumn('changed_at', 'bigint', (c) => c.notNull())
          // The state before the last change, written by the same upsert (SET reads the old row), so the change an
          // event made can be told again after a crash between the upsert and the event's mark.
          .addColumn('prev_status', 'text')
          .addColumn('prev_leg', 'text')
          .addColumn('prev_call_uuid', 'text')
          .addColumn('prev_call_started_at', 'bigint')
          .addColumn('prev_event_id', 'bigint')
          .addColumn('prev_changed_at', 'bigint')
          .execute();

        await db.schema
          .createTable('call_records')
          .ifNotExists()
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('record_id', 'bigint')
          .addColumn('uuid', 'text')
          .addColumn('extension', 'text')
          .addColumn('destination_number', 'text')
          .addColumn('display_number', 'text')
          .addColumn('direction', 'text')
          .addColumn('call_method', 'text')
          .addColumn('started_at', 'bigint')
          .addColumn('answered_at', 'bigint')
          .addColumn('ended_at', 'bigint')
          .addColumn('wait_seconds', 'integer')
          .addColumn('talk_seconds', 'integer')
          .addColumn('user_id', 'text')
          .addColumn('employee_id', 'text')
          .addColumn('member_id', 'text')
          .addColumn('maturity', 'text')
          .addColumn('customer_id', 'text')
          .addColumn('record_file_name', 'text')
          .addColumn('download_ip', 'text')
          .addColumn('hangup_direction', 'text')
          .addColumn('hangup_cause', 'text')
          .addColumn('keys_pressed', 'text')
          .addColumn('company_code', 'text')
          .addColumn('from_callback', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('from_bill', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('callback_event_id', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('call_records_record_id_idx').ifNotExists().on('call_records').column('record_id').execute();
        await db.schema.createIndex('call_records_uuid_idx').ifNotExists().on('call_records').column('uuid').execute();
        await db.schema
          .createIndex('call_records_started_idx')
          .ifNotExists()
          .on('call_records')
          .columns(['started_at', 'key'])
          .execute();
      },
    },

    // Retention (docs/events.md, "Retention"): per topic, the highest event id pruning deleted. An `after` below it
    // has lost events right after it and is refused with EVENT_ID_EXPIRED.
    '0003_event_prune_marks': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('event_prune_marks')
          .ifNotExists()
          .addColumn('topic', 'text', (c) => c.primaryKey())
          .addColumn('pruned_through', 'bigint', (c) => c.notNull())
          .execute();
      },
    },

    // Statistics (docs/statistics.md): the numbers each predictive upload sent (to join call records to tasks), one
    // classified row per call, counters per (dimension, subject, grain, bucket), answer waits per queue for service
    // levels, each agent's cumulative time per state at every transition, and the abandon-rate guards.
    '0004_statistics': {
      async up(db: Kysely<any>) {
        // SQLite: counter tables are read and written by their key only, so their rows live in the key's b-tree
        // (WITHOUT ROWID): one b-tree to seek and to dirty per row instead of two. PostgreSQL has no such option.
        const clustered = <T extends { modifyEnd(node: ReturnType<typeof sql.raw>): T }>(table: T): T =>
          dialect === 'sqlite' ? table.modifyEnd(sql.raw('without rowid')) : table;
        await db.schema
          .createTable('task_numbers')
          .ifNotExists()
          .addColumn('task_id', 'text', (c) => c.notNull())
          .addColumn('phone', 'text', (c) => c.notNull())
          .addColumn('customer_id', 'text')
          .addColumn('added_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('task_numbers_pk', ['task_id', 'phone'])
          .execute();
        await db.schema.createIndex('task_numbers_phone_idx').ifNotExists().on('task_numbers').columns(['phone', 'added_at']).execute();
        await db.schema.createIndex('task_numbers_customer_idx').ifNotExists().on('task_numbers').columns(['customer_id', 'added_at']).execute();

        await db.schema
          .createTable('stat_calls')
          .ifNotExists()
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('task_id', 'text')
          .addColumn('queue', 'text')
          .addColumn('extension', 'text')
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint')
          .addColumn('dialled', 'integer', (c) => c.notNull())
          .addColumn('customer_answered', 'integer', (c) => c.notNull())
          .addColumn('connected', 'integer', (c) => c.notNull())
          .addColumn('abandoned', 'integer', (c) => c.notNull())
          .addColumn('wait_s', 'integer')
          .addColumn('talk_s', 'integer', (c) => c.notNull())
          .execute();
        // The guard's "last N calls the customer answered" of a task, newest first.
        await db.schema
          .createIndex('stat_calls_task_idx')
          .ifNotExists()
          .on('stat_calls')
          .columns(['task_id', 'customer_answered', 'ended_at'])
          .execute();
        await db.schema.createIndex('stat_calls_started_idx').ifNotExists().on('stat_calls').column('started_at').execute();

        // Keyed time first (grain, bucket, then subject): the rows callbacks write are those of the current minute and
        // hour, side by side in a few pages, so a commit writes few pages (subject first spread them over a page per
        // subject); a window's read is one key range per part, and the pruner's range of old minute rows is the key's.
        await db.schema
          .createTable('stat_counts')
          .ifNotExists()
          .addColumn('dim', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('grain', 'integer', (c) => c.notNull())
          .addColumn('bucket', 'bigint', (c) => c.notNull())
          .addColumn('dialled', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('customer_answered', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('connected', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('abandoned', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('talk_s', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('wait_s', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('stat_counts_pk', ['grain', 'bucket', 'dim', 'subject'])
          .$call(clustered)
          .execute();

        await db.schema
          .createTable('stat_waits')
          .ifNotExists()
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('grain', 'integer', (c) => c.notNull())
          .addColumn('bucket', 'bigint', (c) => c.notNull())
          .addColumn('wait_s', 'integer', (c) => c.notNull())
          .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('stat_waits_pk', ['grain', 'bucket', 'queue', 'wait_s'])
          .$call(clustered)
          .execute();

        await db.schema
          .createTable('stat_agent_states')
          .ifNotExists()
          .addColumn('extension', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('event_id', 'bigint', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('idle_ms', 'bigint', (c) => c.notNull())
          .addColumn('ringing_ms', 'bigint', (c) => c.notNull())
          .addColumn('talking_ms', 'bigint', (c) => c.notNull())
          .addColumn('rung', 'bigint', (c) => c.notNull())
          .addColumn('rung_answered', 'bigint', (c) => c.notNull())
          .addColumn('rung_missed', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('stat_agent_states_pk', ['extension', 'at', 'event_id'])
          .$call(clustered)
          .execute();
        await db.schema.createIndex('stat_agent_states_at_idx').ifNotExists().on('stat_agent_states').column('at').execute();

        // AI calls' outcome labels per task, all time (the windowed call counts are in stat_counts, dimension ai-task).
        await db.schema
          .createTable('stat_ai_outcomes')
          .ifNotExists()
          .addColumn('task_id', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('stat_ai_outcomes_pk', ['task_id', 'outcome'])
          .$call(clustered)
          .execute();

        await db.schema
          .createTable('task_guards')
          .ifNotExists()
          .addColumn('task_id', 'text', (c) => c.primaryKey())
          .addColumn('target_percent', 'double precision', (c) => c.notNull())
          .addColumn('last_calls', 'integer', (c) => c.notNull())
          .addColumn('pause_task', 'integer', (c) => c.notNull())
          .addColumn('armed_at', 'bigint', (c) => c.notNull())
          .addColumn('tripped_at', 'bigint')
          .addColumn('tripped_calls', 'integer')
          .addColumn('tripped_abandoned', 'integer')
          .addColumn('claimed_at', 'bigint')
          .addColumn('reported_at', 'bigint')
          .execute();
      },
    },

    // The lease sweep and catch-up read pending events of every topic by id (`store.events.pending`): the partial index
    // of 0002 leads with the topic, so that statement walked the whole events table, once a second on every replica
    // (64–72 ms at 350,000 events: bench/README.md, "Issue 15"). Pending events are few, so this index stays tiny.
    '0005_events_pending_by_id': {
      async up(db: Kysely<any>) {
        await db.schema.createIndex('events_pending_id_idx').ifNotExists().on('events').column('id').where(sql.ref('applied'), 'is', null).execute();
      },
    },
  };
}

/**
 * The status history is written by triggers, so a status change and its history row are one statement: atomic without
 * a transaction. That matters on SQLite, where a transaction held open across `await`s by one connection deadlocks
 * any other connection of the same process (better-sqlite3 waits for the lock synchronously, blocking the event loop
 * the first connection needs to commit). The repository sets `status_source` with every status it writes.
 */
async function createStatusHistoryTriggers(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create trigger if not exists predictive_task_status_created after insert on predictive_tasks
      begin
        insert into predictive_task_status_history (task_id, from_status, to_status, source, at)
        values (new.id, null, new.status, new.status_source, new.status_changed_at);
      end`.execute(db);
    await sql`create trigger if not exists predictive_task_status_changed after update of status on predictive_tasks
      when old.status is not new.status
      begin
        insert into predictive_task_status_history (task_id, from_status, to_status, source, at)
        values (new.id, old.status, new.status, new.status_source, new.status_changed_at);
      end`.execute(db);
    return;
  }
  // PostgreSQL runs a migration in one transaction, so no "if not exists" is needed here.
  await sql`create function predictive_task_status_history_write() returns trigger language plpgsql as $$
    begin
      insert into predictive_task_status_history (task_id, from_status, to_status, source, at)
      values (new.id, case when tg_op = 'UPDATE' then old.status end, new.status, new.status_source, new.status_changed_at);
      return null;
    end $$`.execute(db);
  await sql`create trigger predictive_task_status_created after insert on predictive_tasks
    for each row execute function predictive_task_status_history_write()`.execute(db);
  await sql`create trigger predictive_task_status_changed after update of status on predictive_tasks
    for each row when (old.status is distinct from new.status) execute function predictive_task_status_history_write()`.execute(db);
}

export function createMigrationProvider(dialect: DialectName): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/**
 * Brings the schema up to date; a no-op when it already is. On PostgreSQL Kysely holds an advisory lock meanwhile,
 * so replicas starting together migrate once.
 */
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: a second deployment (or test) in
  // another schema of the same database would make it skip creating its own. So name the connection's schema.
  const migrationTableSchema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider: createMigrationProvider(dialect), migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
