// Lint rules for the whole workspace. Two kinds of rule matter most here:
// - module boundaries: services never import each other; libs never import services;
// - purity: the translation, rendering and PKI cores (and the contracts) import no I/O library,
//   so they stay pure functions that golden tests can pin down.
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const ioModules = [
  'node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:http2', 'node:child_process',
  'node:dgram', 'node:dns', 'node:tls', 'fs', 'net', 'http', 'https', 'child_process',
  '@nats-io/*', '@kubernetes/client-node', 'pino', 'prom-client', '@grpc/*', 'testcontainers',
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.d.ts', '**/testdata/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    // Each package's tsconfig.spec.json covers its sources and its tests (tsconfig.json excludes tests).
    languageOptions: { parserOptions: { project: ['libs/*/tsconfig.spec.json', 'services/*/tsconfig.spec.json', 'engine/*/tsconfig.spec.json', 'test/tsconfig.spec.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      complexity: ['error', 15],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through the zod config loader in the composition root, not process.env.' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: ioModules },
            // Data-plane programs in Engine Pods share only the contracts with the control plane.
            { sourceTag: 'type:engine', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:service', 'type:engine'] },
          ],
        },
      ],
    },
  },
  {
    // Pure cores: no I/O imports. Keep this list in step with docs/adr/0002.
    files: [
      'libs/contracts/src/**/*.ts',
      'services/*/src/core/**/*.ts',
      'services/renderer/src/translate/**/*.ts',
      'services/renderer/src/xds-server/protocol/**/*.ts',
      'services/ca/src/pki/**/*.ts',
      'services/deployer/src/render/**/*.ts',
      'services/deployer/src/status/**/*.ts',
      'engine/network-manager/src/core/**/*.ts',
    ],
    // Generators and tests may read and write files.
    ignores: ['libs/contracts/src/bin/**', '**/*.test.ts', '**/*.itest.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ioModules, message: 'Pure cores do no I/O: inject it from the adapter.' }] }],
    },
  },
  {
    // The composition roots and the harness are where process.env may be read.
    files: ['services/*/src/main.ts', 'engine/*/src/main.ts', 'libs/runtime/src/config/**/*.ts', 'libs/contracts/src/bin/**/*.ts', 'test/src/**/*.ts', 'test/bin/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.itest.ts'],
    rules: { complexity: 'off', '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
);
