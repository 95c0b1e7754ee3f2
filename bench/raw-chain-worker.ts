/**
 * The baseline of `npm run bench` (bench/pipeline.ts): one process of a raw BullMQ chain of six trivial
 * stages on the same Redis, with gongkai's queue names, per-stage concurrency, payload and job ids.
 * Each stage only hands the job on; the last counts it. What gongkai adds on top is the ratio's cost.
 *
 *   node --require tsx/cjs bench/raw-chain-worker.ts '{"redisUrl": "...", "prefix": "..."}'
 */
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { STAGES, loadPolicies, nextStage, stageJobId, type StageJob } from '../shared/pipeline';
import { redisOptions } from '../shared/redis';

export const RAW_CHAIN_DONE_KEY = 'raw-chain:done';

function main(): void {
  const { redisUrl, prefix } = JSON.parse(process.argv[2]) as { redisUrl: string; prefix: string };
  const connection = redisOptions(redisUrl);
  const counter = new IORedis(redisUrl);
  const policies = loadPolicies();
  const queues = new Map(STAGES.map((stage) => [stage, new Queue(stage, { connection, prefix })]));
  const workers = STAGES.map(
    (stage) =>
      new Worker(
        stage,
        async (job) => {
          const next = nextStage(stage);
          const payload = job.data as StageJob;
          if (next) await queues.get(next)!.add(next, payload, { jobId: stageJobId(next, payload), removeOnComplete: true });
          else await counter.incr(`${prefix}:${RAW_CHAIN_DONE_KEY}`);
        },
        { connection, prefix, concurrency: policies[stage].concurrency },
      ),
  );
  const stop = async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    counter.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.send?.('ready');
}

if (require.main === module) main();
