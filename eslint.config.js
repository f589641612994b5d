import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.toolchain/**',
      '.cohort/**',
      '.nx/**',
      'coverage/**',
      'libs/contracts/src/gen/**',
      'web/.svelte-kit/**',
      'web/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // The domain decides; it never does I/O. Anything that reaches the outside world is banned here.
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['libs/domain/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster|os|process|readline|crypto)$',
              message: 'libs/domain is pure: no I/O, clock or randomness (pass them in through arguments).',
            },
            {
              regex:
                '^(@nats-io|@mikro-orm|@nestjs|pg$|@kubernetes|@apollo|ws$|@cohort/(eventstore|messaging|projections|runtime|agents|forges|testing))',
              message: 'libs/domain is pure: it may import @cohort/contracts and pure libraries only.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'libs/domain is pure: no network.' },
        { name: 'process', message: 'libs/domain is pure: configuration comes in through arguments.' },
        { name: 'setTimeout', message: 'libs/domain is pure: time comes in through world.now.' },
        { name: 'setInterval', message: 'libs/domain is pure: time comes in through world.now.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'libs/domain is pure: time comes in through world.now.' },
        { object: 'Math', property: 'random', message: 'libs/domain is pure: randomness comes in through world.seed.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'libs/domain is pure: time comes in through world.now.',
        },
      ],
    },
  },
);
