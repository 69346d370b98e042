import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

/**
 * The committed output of `npm run codegen` is what codegen.ts makes of the committed schema.graphql and documents:
 * the wallboard's bundle and its persisted-document manifest (the gateway's trusted documents) come from these files,
 * so a `.graphql` edited without running codegen would ship a page whose hashes name the old documents.
 */
describe('GraphQL Code Generator output', () => {
  it('is up to date for every target (run `npm run codegen` after changing a document or the schema)', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
    expect(outputs.map((output) => output.filename).sort()).toEqual([
      './src/wallboard/generated/gql.ts',
      './src/wallboard/generated/graphql.ts',
      './src/wallboard/generated/index.ts',
      './src/wallboard/generated/persisted-documents.json',
      './test/generated/gql.ts',
      './test/generated/graphql.ts',
      './test/generated/index.ts',
    ]);
    for (const output of outputs) expect(readFileSync(output.filename, 'utf8'), output.filename).toBe(output.content);
  }, 30_000);
});
