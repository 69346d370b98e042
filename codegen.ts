import type { CodegenConfig } from '@graphql-codegen/cli';
import { createHash } from 'node:crypto';
import { Kind, type DocumentNode } from 'graphql';

/**
 * Typed documents, checked against the committed schema.graphql. `npm run codegen` regenerates both targets:
 * - test/generated: every operation in test/documents gets TypedDocumentNode types (for the tests, and a pattern for
 *   front-end clients).
 * - src/wallboard/generated: the wallboard's operations (src/wallboard/graphql), persisted at build time (trusted
 *   documents): `persisted-documents.json` maps each document's sha256 to its text (the gateway's manifest, copied to
 *   dist/wallboard/ by scripts/bundle-wallboard.ts), and each generated document is only `{ __meta__: { hash,
 *   operationName } }` (mode replaceDocumentWithHash): the page sends hashes, never text, so neither the text nor the
 *   `graphql` package is in its bundle, while the TypedDocumentNode types stay.
 */
const config: CodegenConfig = {
  schema: './schema.graphql',
  ignoreNoDocuments: false,
  // NodeNext resolution wants file extensions on relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    './test/generated/': {
      documents: ['test/documents/**/*.graphql'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
      presetConfig: { fragmentMasking: false },
    },
    './src/wallboard/generated/': {
      documents: ['src/wallboard/graphql/**/*.graphql'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
      presetConfig: {
        fragmentMasking: false,
        // Bare hex, not the preset's `sha256:<hex>`: the manifest's keys and `persistedQuery.sha256Hash` are the
        // hex digest of the document text (the gateway checks each key against its text).
        persistedDocuments: {
          mode: 'replaceDocumentWithHash',
          hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex'),
        },
        // The operation's name travels with its hash (`operationName` in requests: the gateway's logs and metrics
        // name operations by it).
        onExecutableDocumentNode: (document: DocumentNode) => {
          const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
          return { operationName: operation?.name?.value ?? null };
        },
      },
    },
  },
};

export default config;
