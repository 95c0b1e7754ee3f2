/**
 * Unit tests need nothing running; integration tests use the real Redis and Postgres (see test/support);
 * the OCR suite reads real scans with tesseract.js and runs on its own (npm run test:ocr).
 */
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2022' }, module: { type: 'commonjs' } }];
// content-disposition 3 and cookie 2 (under bull-board and fastify's inject) ship only ES modules, which Node 20
// requires natively but Jest's module loader does not: it is compiled to CommonJS like our own code.
const ESM_ONLY = ['content-disposition', 'cookie'];
const transform = { '^.+\\.ts$': swc('typescript'), [`node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: swc('ecmascript') };
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`];
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node' },
    { displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node', slowTestThreshold: 30 },
    { displayName: 'ocr', testMatch: ['<rootDir>/test/ocr/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node', slowTestThreshold: 120 },
    { displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node', slowTestThreshold: 120 },
    { displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node', slowTestThreshold: 240 },
  ],
};
