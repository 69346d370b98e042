import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './schema/scalars.ts';
import './schema/errors.ts';
import './schema/gateway.ts';
import './schema/agent.ts';
import './schema/seat-commands.ts';
import './schema/queue.ts';
import './schema/ext-group.ts';
import './schema/call-record.ts';
import './schema/task.ts';
import './schema/task-numbers.ts';
import './schema/live.ts';
import './schema/ai-resources.ts';
import './schema/ai-task.ts';
import './schema/ai-call-outcomes.ts';
import './schema/abandon-guard.ts';
import './schema/statistics.ts';
import './schema/statistics-live.ts';
import './schema/ai-statistics.ts';

/** The executable schema: every domain module registers its types and root fields on the builder when imported. */
export const schema = builder.toSchema();

/** The SDL committed as schema.graphql (sorted so diffs show real changes only). */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
