/** One runtime on a fresh prefix and schema for a test file, opened before its tests and closed after. */
import { openRuntime, type Runtime } from '../../cli/runtime';
import { createTestEnvironment, type TestEnvironment } from './environment';

export interface PipelineUnderTest {
  runtime(): Runtime;
  environment(): TestEnvironment;
}

export function pipelineUnderTest(overrides: NodeJS.ProcessEnv = {}, options: { startWorkers?: boolean } = {}): PipelineUnderTest {
  let environment: TestEnvironment;
  let runtime: Runtime;
  beforeAll(async () => {
    environment = createTestEnvironment(overrides);
    runtime = await openRuntime(environment.config);
    if (options.startWorkers ?? true) runtime.startWorkers();
  });
  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });
  return { runtime: () => runtime, environment: () => environment };
}
