import type { CodegenConfig } from "@graphql-codegen/cli";

// Only the types our operations use are emitted (onlyOperationTypes), so a
// schema field added for someone else does not change src/gql and the stale
// check stays quiet until an operation here changes.
const config: CodegenConfig = {
  schema: "../graph/schema/*.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        onlyOperationTypes: true,
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { Time: "string", Cursor: "string", JSON: "unknown", ID: "string" },
      },
    },
  },
};
export default config;
