/** The stage queues and the dead-letter queue, opened on one Redis with one prefix. */
import { Queue, type Job, type JobType } from 'bullmq';
import { RedisOutageLog, redisOptions } from './redis';
import {
  DEAD_LETTER_QUEUE,
  backoffFor,
  OCR_PAGE_QUEUE,
  STAGES,
  deadLetterJobId,
  ocrPageJobId,
  queueName,
  stageJobId,
  stagePolicy,
  type DeadLetterJob,
  type RetryOverrides,
  type Stage,
  type StageJob,
} from './pipeline';

/** Completed jobs are kept for a while so dashboards show recent history without Redis growing. */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 1000 };
export const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };

export class PipelineQueues {
  readonly stages: Record<Stage, Queue>;
  readonly ocrPages: Queue;
  readonly deadLetter: Queue;
  /** Whether Redis is lost right now, as the queues' connections saw it. */
  readonly outage: RedisOutageLog;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly retryOverrides: RetryOverrides = {},
  ) {
    const options = { connection: redisOptions(redisUrl), prefix };
    this.stages = Object.fromEntries(STAGES.map((stage) => [stage, new Queue(queueName(stage), options)])) as Record<Stage, Queue>;
    this.ocrPages = new Queue(OCR_PAGE_QUEUE, options);
    this.deadLetter = new Queue(DEAD_LETTER_QUEUE, options);
    // Without a listener BullMQ prints every reconnect failure with its stack; one line per outage is enough.
    const outage = new RedisOutageLog(redisUrl);
    this.outage = outage;
    for (const queue of this.all()) queue.on('error', (error) => outage.lost(error));
  }

  async enqueue(stage: Stage, job: StageJob): Promise<void> {
    const policy = stagePolicy(stage, this.retryOverrides);
    await this.stages[stage].add(stage, job, {
      jobId: stageJobId(stage, job),
      attempts: policy.attempts,
      backoff: backoffFor(policy),
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    });
  }

  /**
   * Adds one OCR job per page as children of the document's ocr job. A page that fails for good does
   * not fail the parent by itself: the parent runs again and dead-letters the document naming the page.
   */
  async enqueueOcrPages(job: StageJob, pages: number[], parent: Job): Promise<void> {
    const policy = stagePolicy('ocr', this.retryOverrides);
    await this.ocrPages.addBulk(
      pages.map((page) => ({
        name: OCR_PAGE_QUEUE,
        data: { ...job, page },
        opts: {
          jobId: ocrPageJobId({ ...job, page }),
          parent: { id: parent.id as string, queue: parent.queueQualifiedName },
          ignoreDependencyOnFailure: true,
          attempts: policy.attempts,
          backoff: backoffFor(policy),
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
        },
      })),
    );
  }

  async deadLetterDocument(letter: DeadLetterJob): Promise<void> {
    await this.deadLetter.add(letter.stage, letter, { jobId: deadLetterJobId(letter), removeOnComplete: true, removeOnFail: false });
  }

  /** Dead letters wait in the queue (for dashboards) until a re-drive removes them; nothing consumes them. */
  async removeDeadLetter(id: string): Promise<void> {
    await this.deadLetter.remove(id);
  }

  all(): Queue[] {
    return [...Object.values(this.stages), this.ocrPages, this.deadLetter];
  }

  /** Jobs per state and listening workers of every queue: what `status`, the overview page and /metrics show. */
  async depths<S extends JobType>(states: readonly S[]): Promise<Array<{ name: string; jobs: Record<S, number>; workers: number }>> {
    return Promise.all(
      this.all().map(async (queue) => {
        const [counts, workers] = await Promise.all([queue.getJobCounts(...states), queue.getWorkersCount()]);
        const jobs = Object.fromEntries(states.map((state) => [state, counts[state] ?? 0])) as Record<S, number>;
        return { name: queue.name, jobs, workers };
      }),
    );
  }

  async close(): Promise<void> {
    this.outage.close();
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
