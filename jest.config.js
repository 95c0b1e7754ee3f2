/**
 * Unit tests need nothing running; integration tests use the real Redis and Postgres (see test/support);
 * the OCR suite reads real scans with tesseract.js and runs on its own (npm run test:ocr).
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], transform, testEnvironment: 'node', slowTestThreshold: 30 },
    { displayName: 'ocr', testMatch: ['<rootDir>/test/ocr/**/*.test.ts'], transform, testEnvironment: 'node', slowTestThreshold: 120 },
    { displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'], transform, testEnvironment: 'node', slowTestThreshold: 240 },
  ],
};
