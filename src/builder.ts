import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from './context.ts';

/** The one Pothos builder: plugins, scalars and empty roots only; domain types live in src/schema/. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
});

builder.queryType({ description: 'Reads over the call centre: its agents, queues, groups, tasks and call records.' });
