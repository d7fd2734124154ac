// The house rules as code (npm run lint): typescript-eslint's type-checked recommendations, promises
// that are always awaited or handled, and the record kind named only where it may be.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const KIND_NAMES = 'DOMAIN_ORDER|TEST_RUN';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test/__generated__/', 'console/src/__generated__/', '**/*.cjs', '**/*.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read JSON bodies they did not type (callback payloads, GraphQL answers) and compare with jest's
    // asymmetric matchers, which are typed any: the no-unsafe-* family would flag every such line. The
    // promise rules, which catch real bugs in tests too, stay on.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // The operator console is a browser app (console/tsconfig.json gives it the DOM and no Node types);
    // it knows the gateway only through GraphQL, never through the server's code.
    files: ['console/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/../src/**', '**/../test/**', 'node:*'], message: 'The console talks to the gateway over GraphQL only.' }] },
      ],
    },
  },
  {
    // The schema's object types resolve their plain fields as properties (simpleResolvers: type-graphql
    // skips middlewares and auth checks there, a few microtasks per field of every object of a page), so
    // a role or middleware on a field of one would never run: authorise in the resolvers.
    files: ['src/schema/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Decorator > CallExpression[callee.name=/^(Authorized|UseMiddleware)$/]',
          message: 'Fields of schema types are simple resolvers, where @Authorized and @UseMiddleware do not run: authorise in a resolver.',
        },
        {
          selector: "Decorator > CallExpression[callee.name='ObjectType']:not(:has(Property[key.name='simpleResolvers']))",
          message: 'Give schema object types simpleResolvers: true (their plain fields resolve as properties, without middlewares).',
        },
      ],
    },
  },
  {
    // Which kind a record is, is the record-kind registry's business (src/services/records); the GraphQL
    // layer maps arguments to kinds, and the enum is defined once in entities/enums.ts. The demo is a
    // GraphQL client: it names subjects in what it sends, as any client does.
    files: ['src/**/*.ts'],
    ignores: ['src/services/records/**', 'src/schema/**', 'src/resolvers/**', 'src/entities/enums.ts', 'src/demo/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `MemberExpression[object.name='DecisionSubject'][property.name=/^(${KIND_NAMES})$/]`,
          message: 'Branch on the record kind through its descriptor (src/services/records), not on DecisionSubject.',
        },
        {
          selector: `Literal[value=/^(${KIND_NAMES})$/]`,
          message: 'Branch on the record kind through its descriptor (src/services/records), not on its name.',
        },
      ],
    },
  },
);
