/** The package version (kept equal to package.json's by test/http/version.test.ts). */
export const VERSION = '0.1.0';
