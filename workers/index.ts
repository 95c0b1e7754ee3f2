/** One handler per stage, and starting any subset of them in this process. */
import type { Worker } from 'bullmq';
import { CHILD_QUEUES, OCR_PAGE_QUEUE, STAGES, type Stage } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { handleIngest } from './ingest/worker';
import { handleNormalize } from './normalize/worker';
import { startOcrPageWorker } from './ocr/page-worker';
import { handleOcr } from './ocr/worker';
import { handleParse } from './parse/worker';
import { handlePublish } from './publish/worker';
import { startReconciler } from './reconciler';
import { startStageWorker, type StageContext, type StageHandler } from './stage-worker';
import { closeSandboxes } from './sandbox';
import { handleValidate } from './validate/worker';

export const STAGE_HANDLERS: { [S in Stage]: StageHandler<S> } = {
  ingest: handleIngest,
  ocr: handleOcr,
  normalize: handleNormalize,
  parse: handleParse,
  validate: handleValidate,
  publish: handlePublish,
};

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(options: {
  stages?: readonly Stage[];
  context: StageContext;
  queues: PipelineQueues;
  redisUrl: string;
}): RunningWorkers {
  const stages = options.stages ?? STAGES;
  const startStage = <S extends Stage>(stage: S): Worker =>
    startStageWorker({ stage, handler: STAGE_HANDLERS[stage], context: options.context, queues: options.queues, redisUrl: options.redisUrl });
  const workers = stages.map(startStage);
  // Wherever a stage runs, the child jobs it fans out run too.
  const pageWorker = stages.some((stage) => CHILD_QUEUES[stage]?.includes(OCR_PAGE_QUEUE)) ? startOcrPageWorker(options.context, options.queues, options.redisUrl) : null;
  const reconciler = startReconciler({ db: options.context.db, queues: options.queues }, options.context.config.reconcileIntervalMs);
  return {
    workers: pageWorker ? [...workers, pageWorker.worker] : workers,
    // Closing waits for active jobs to finish, so a stopped worker leaves no job half done.
    close: async () => {
      await Promise.all([...workers.map((worker) => worker.close()), pageWorker?.close(), reconciler.close()]);
      await closeSandboxes();
    },
  };
}
