/** Jest 30 + @swc/jest, native ESM (run with NODE_OPTIONS=--experimental-vm-modules; see package.json). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: {
    '^@payload-config$': '<rootDir>/payload.config.ts',
    '^@/(.*)$': '<rootDir>/src/$1',
  },
  testMatch: [
    '<rootDir>/tests/**/*.test.ts',
    '<rootDir>/{plugins,themes,examples}/*/{src,test,tests}/**/*.test.{ts,tsx}',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60_000,
  globalSetup: '<rootDir>/tests/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/setup/globalTeardown.mjs',
  // Payload keeps a database client checked out for the life of the process.
  forceExit: true,
  // Workspace packages resolve to their TypeScript sources (the `source` export condition), not dist/.
  testEnvironmentOptions: { globalsCleanup: 'off', customExportConditions: ['source', 'node', 'node-addons'] },
}
