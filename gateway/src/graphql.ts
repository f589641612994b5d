// graphql 16 has no "exports" map: Node resolves "graphql" to its CommonJS build, and so
// do Apollo, graphql-ws and graphql-tools, while the test runner would pick the ESM build
// through "module". graphql refuses schemas and errors from another copy of itself, so the
// gateway names the one file every runtime shares.
export * from 'graphql/index.js';
