import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema.ts';

/** `npm run schema`: prints the sorted SDL to schema.graphql (a test fails when the committed file is stale). */
writeFileSync(new URL('../schema.graphql', import.meta.url), printSortedSchema());
console.log('schema.graphql written');
