/** The stage queues and the dead-letter queue, opened on one Redis with one prefix. */
import { Queue, type Job, type JobType } from 'bullmq';
import { RedisOutageLog, redisOptions } from './redis';
import {
  DEAD_LETTER_QUEUE,
  backoffFor,
  OCR_PAGE_QUEUE,
  STAGES,
  deadLetterJobId,
  stageJobId,
  type DeadLetterJob,
  type JobQueue,
  type PipelinePolicies,
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
    private readonly policies: PipelinePolicies,
  ) {
    const options = { connection: redisOptions(redisUrl), prefix };
    this.stages = Object.fromEntries(STAGES.map((stage) => [stage, new Queue(stage, options)])) as Record<Stage, Queue>;
    this.ocrPages = new Queue(OCR_PAGE_QUEUE, options);
    this.deadLetter = new Queue(DEAD_LETTER_QUEUE, options);
    // Without a listener BullMQ prints every reconnect failure with its stack; one line per outage is enough.
    const outage = new RedisOutageLog(redisUrl);
    this.outage = outage;
    for (const queue of this.all()) queue.on('error', (error) => outage.lost(error));
  }

  queue(name: JobQueue): Queue {
    return name === OCR_PAGE_QUEUE ? this.ocrPages : this.stages[name];
  }

  /** Attempts, backoff and retention of a job on this queue, by its policy. */
  private jobOptions(name: JobQueue) {
    const policy = this.policies[name];
    return { attempts: policy.attempts, backoff: backoffFor(policy), removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED };
  }

  async enqueue(stage: Stage, job: StageJob): Promise<void> {
    await this.stages[stage].add(stage, job, { jobId: stageJobId(stage, job), ...this.jobOptions(stage) });
  }

  /**
   * Adds jobs to a queue as children of `parent`, which BullMQ runs again once they have all finished.
   * A child that fails for good does not fail the parent by itself: the parent's handler decides.
   */
  async addChildren(name: JobQueue, children: Array<{ jobId: string; data: object }>, parent: Job): Promise<void> {
    await this.queue(name).addBulk(
      children.map((child) => ({
        name,
        data: child.data,
        opts: {
          jobId: child.jobId,
          parent: { id: parent.id as string, queue: parent.queueQualifiedName },
          ignoreDependencyOnFailure: true,
          ...this.jobOptions(name),
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
