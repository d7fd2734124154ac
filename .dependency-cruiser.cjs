/**
 * The module layering as rules (npm run lint). Type-only imports count: a cycle through types is still a
 * cycle a reader has to untangle.
 *
 *   main, runtime, container, server   the composition root: may use everything
 *   graphql/        schema building, auth checker, error formatting, limits; uses resolvers and schema
 *   resolvers/      thin: use services and schema types
 *   schema/         type-graphql classes: use entities' enums only
 *   services/       domain logic: use entities, database, config types; never resolvers, schema or graphql
 *   entities/       TypeORM entities: nothing above them
 *   migrations/     frozen SQL: nothing from src/ and no other migration
 *   simulator/      its own small server: only the TMF schema checker of the gateway
 *   console/        the operator console, a browser app: talks to the gateway over GraphQL only
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide the order modules depend on each other; break them by moving the shared part down.',
      from: { path: '^(src|bench|migrations)/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-between-folders',
      severity: 'error',
      comment: 'Two areas that import each other are one area in two places: move the shared part to one of them, or below both.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entities-stay-at-the-bottom',
      severity: 'error',
      comment: 'Entities describe tables; they must not know about services, GraphQL or the runtime.',
      from: { path: '^src/entities/' },
      to: { path: '^src/', pathNot: '^src/entities/' },
    },
    {
      name: 'services-do-not-import-upward',
      severity: 'error',
      comment: 'Services hold the logic; resolvers, schema types and the GraphQL layer call them, never the other way.',
      from: { path: '^src/services/' },
      to: { path: '^src/(resolvers|schema|graphql|server|runtime|container|main)' },
    },
    {
      name: 'schema-types-are-plain',
      severity: 'error',
      comment: 'GraphQL type classes describe shapes; they use entity enums and each other, not services or resolvers.',
      from: { path: '^src/schema/' },
      to: { path: '^src/(resolvers|services|graphql|database|server|runtime|container|main)' },
    },
    {
      name: 'resolvers-are-thin',
      severity: 'error',
      comment: 'Resolvers call services; they do not build the schema, the server or the runtime.',
      from: { path: '^src/resolvers/' },
      to: { path: '^src/(graphql|server|runtime|main|database)' },
    },
    {
      name: 'migrations-are-frozen',
      severity: 'error',
      comment: 'A migration holds its own SQL text: an import would let a later edit change what a landed migration runs.',
      from: { path: '^migrations/', pathNot: '^migrations/index\\.ts$' },
      to: { path: '^(src|migrations)/' },
    },
    {
      name: 'simulator-is-its-own-server',
      severity: 'error',
      comment: 'The simulator plays the external systems; it may only share the official TMF schema checker.',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: '^src/(simulator/|services/tmf/|project-root\\.ts$)' },
    },
    {
      name: 'console-talks-graphql-only',
      severity: 'error',
      comment: 'The console runs in a browser and knows the gateway through its GraphQL contract, not its code.',
      from: { path: '^console/' },
      to: { path: '^(src|test|bench|migrations)/' },
    },
    {
      name: 'console-runs-in-a-browser',
      severity: 'error',
      comment: 'Node built-ins do not exist in a browser.',
      from: { path: '^console/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      // A types-only package (no JavaScript to resolve): the console's typed documents import its type.
      to: { couldNotResolve: true, pathNot: '^@graphql-typed-document-node/core$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test/__generated__)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
