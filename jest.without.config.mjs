import base from './jest.config.mjs'

/**
 * The host's suite with plugins left out of the config (SHRUTIK_TEST_WITHOUT; `npm run
 * test:without-consensus`, `test:without-audio`). Plugin packages' own tests need their plugin, so
 * only tests/ runs. Left out as well, because they never load payload.config.ts and so cannot
 * change with the plugins in it (they already ran in test:unit): pure unit tests, static source
 * checks (layering, the test kit's core contract), the packing and scaffolding tests, the Docker files, the embedded database
 * and file stores on their own, and the removal suites, which build their own configurations.
 */
export default {
  ...base,
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '<rootDir>/tests/unit/',
    '<rootDir>/tests/pluginRemoval/',
    '<rootDir>/tests/layering.test.ts',
    '<rootDir>/tests/packaging.test.ts',
    '<rootDir>/tests/pluginNew.test.ts',
    '<rootDir>/tests/docker.test.ts',
    '<rootDir>/tests/buildStamp.test.ts',
    '<rootDir>/tests/embedded.test.ts',
    '<rootDir>/tests/fileStore.test.ts',
    '<rootDir>/tests/jobs/dbDrop.test.ts',
    '<rootDir>/tests/coreContract.test.ts',
  ],
}
