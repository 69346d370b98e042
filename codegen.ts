import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the tests (and a pattern for front-end clients): every operation in test/documents is checked
 * against the committed schema.graphql and gets TypedDocumentNode types. `npm run codegen` regenerates.
 */
const config: CodegenConfig = {
  schema: './schema.graphql',
  documents: ['test/documents/**/*.graphql'],
  ignoreNoDocuments: false,
  // NodeNext resolution wants file extensions on relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    './test/generated/': {
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
