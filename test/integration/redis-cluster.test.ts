/**
 * The pipeline on a Redis Cluster: three redis-server nodes in cluster mode, started and formed here,
 * the queues on them under a hash-tagged prefix, the sample reports run through every stage, and a
 * one-page image through the ocr stage's page jobs (children in another queue).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import sharp from 'sharp';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { deleteKeysMatching, freePort, openRedisClient, ping, probeRedis } from '../../shared/redis';
import { submitFile } from '../../shared/submissions';
import { createTestEnvironment, sampleFiles, type TestEnvironment } from '../support/environment';

jest.setTimeout(60_000);

const run = promisify(execFile);

interface LocalCluster {
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function clusterInfo(port: number): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout;
}

function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => server.kill('SIGKILL'), 5000);
    server.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

/** Three masters, no replicas, each with its own client and cluster-bus port (Redis 7's --cluster-port), in a temporary directory. */
async function startLocalCluster(): Promise<LocalCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-cluster-'));
  const servers: ChildProcess[] = [];
  // Should jest exit without stopping them (a hook timed out), the servers go with it.
  const killServers = () => servers.forEach((server) => server.kill('SIGKILL'));
  process.once('exit', killServers);
  const stop = async () => {
    await Promise.all(servers.map(stopServer));
    process.off('exit', killServers);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const allPorts = await distinctFreePorts(6);
    const ports = allPorts.slice(0, 3);
    ports.forEach((port, index) => {
      const args = ['--port', String(port), '--cluster-port', String(allPorts[3 + index]), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
      args.push('--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', `redis-${port}.log`);
      servers.push(spawn('redis-server', args, { stdio: 'ignore' }));
    });
    await until('the three redis-server nodes', 10_000, async () => (await Promise.all(ports.map((port) => ping(`redis://127.0.0.1:${port}`)))).every(Boolean));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    await until('cluster_state:ok on every node', 20_000, async () => (await Promise.all(ports.map(clusterInfo))).every((info) => info.includes('cluster_state:ok')));
    return { url: `redis-cluster://${nodes.join(',')}`, ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An image of one page with a line of text: no report, but its page is read by an ocr-page job. */
function scannedPage(): Promise<Buffer> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="400"><rect width="100%" height="100%" fill="white"/><text x="60" y="200" font-size="48" font-family="DejaVu Sans">2021 annual report 12345</text></svg>';
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Every key each node holds, by node port. */
async function keysByNode(ports: number[]): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const port of ports) {
    const node = new IORedis(port, '127.0.0.1');
    try {
      found.set(port, await node.keys('*'));
    } finally {
      node.disconnect();
    }
  }
  return found;
}

describe('pipeline on a Redis Cluster', () => {
  let cluster: LocalCluster | undefined;
  let environment: TestEnvironment | undefined;
  let runtime: Runtime | undefined;
  const ids: string[] = [];
  let scanId = '';

  beforeAll(async () => {
    cluster = await startLocalCluster();
    environment = createTestEnvironment({ REDIS_URL: cluster.url });
    runtime = await openRuntime(environment.config);
    runtime.startWorkers();
    for (const file of sampleFiles()) {
      ids.push((await submitFile(runtime, { bytes: fs.readFileSync(file), fileName: path.basename(file) })).documentId);
    }
    scanId = (await submitFile(runtime, { bytes: await scannedPage(), fileName: 'scan.png' })).documentId;
    await waitForDocuments(runtime.db, [...ids, scanId], { timeoutMs: 40_000, quiet: true });
  });

  afterAll(async () => {
    try {
      // Closing waits for active jobs: a pipeline stuck on the cluster must not keep the servers up.
      await Promise.race([runtime?.close(), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
      await environment?.cleanup();
    } finally {
      await cluster?.stop();
    }
  });

  test('the cluster has three masters sharing the slots', async () => {
    const { stdout } = await run('redis-cli', ['-p', String(cluster!.ports[0]), 'cluster', 'nodes']);
    // <id> <address> <flags> <master> <ping-sent> <pong-recv> <epoch> <link-state> <slot ranges…>
    const masters = stdout.trim().split('\n').map((line) => line.split(' ')).filter((fields) => fields[2].split(',').includes('master'));
    expect(masters).toHaveLength(3);
    expect(masters.every((fields) => fields.length > 8)).toBe(true);
  });

  test('the queue prefix is made a hash tag', () => {
    expect(environment!.config.queuePrefix).toMatch(/^\{gktest-[0-9a-f]{8}\}$/);
  });

  test('every sample is published', async () => {
    const documents = await runtime!.db.selectFrom('documents').select(['file_name', 'status', 'error']).where('id', 'in', ids).execute();
    expect(documents).toHaveLength(ids.length);
    expect(documents.filter((document) => document.status !== 'published')).toEqual([]);
  });

  test('a scanned page is read by its ocr-page job, and its document goes on to the dead-letter queue', async () => {
    expect((await runtime!.queues.ocrPages.getJobCounts('completed')).completed).toBe(1);
    const runs = await runtime!.db.selectFrom('stage_runs').select(['stage', 'outcome']).where('document_id', '=', scanId).execute();
    expect(runs).toContainEqual({ stage: 'normalize', outcome: 'completed' });
    const scan = await runtime!.db.selectFrom('documents').select(['status', 'error']).where('id', '=', scanId).executeTakeFirstOrThrow();
    expect(scan).toMatchObject({ status: 'dead_lettered', error: expect.stringMatching(/^NOT_A_REPORT/) });
    const letters = await runtime!.queues.deadLetter.getJobs(['waiting']);
    expect(letters.map((letter) => [letter.data.documentId, letter.data.errorCode])).toEqual([[scanId, 'NOT_A_REPORT']]);
  });

  test("the queues' keys all live under the prefix, in one slot on one master", async () => {
    const prefix = environment!.config.queuePrefix;
    const byNode = await keysByNode(cluster!.ports);
    const holders = [...byNode].filter(([, keys]) => keys.length > 0);
    expect(holders).toHaveLength(1);
    const [port, keys] = holders[0];
    expect(keys.every((key) => key.startsWith(`${prefix}:`))).toBe(true);
    for (const queue of ['ingest', 'ocr', 'ocr-page', 'normalize', 'parse', 'validate', 'publish', 'dead-letter']) expect(keys).toContain(`${prefix}:${queue}:meta`);

    const node = new IORedis(port, '127.0.0.1');
    try {
      const slots = new Set(await Promise.all(keys.map((key) => node.cluster('KEYSLOT', key))));
      expect([...slots]).toEqual([await node.cluster('KEYSLOT', prefix.slice(1, -1))]);
    } finally {
      node.disconnect();
    }
  });

  test('status reads queue depths and workers across the cluster', async () => {
    const depths = await runtime!.queues.depths(['waiting', 'active', 'completed']);
    const publish = depths.find((queue) => queue.name === 'publish');
    expect(publish?.jobs.completed).toBe(ids.length);
    expect(publish?.workers).toBeGreaterThan(0);
  });

  test('probe and ping answer for the cluster, and name a node that does not answer', async () => {
    expect(await probeRedis(cluster!.url)).toBeNull();
    expect(await ping(cluster!.url)).toBe(true);
    const [deadPort] = await distinctFreePorts(1);
    expect(await probeRedis(`redis-cluster://127.0.0.1:${deadPort}`)).toMatch(new RegExp(`127\\.0\\.0\\.1:${deadPort}: .*ECONNREFUSED`));
  });

  test('deleteKeysMatching scans every master', async () => {
    const marker = 'spread';
    const client = openRedisClient(cluster!.url);
    try {
      // Without a hash tag the keys spread over the slots, and so over the masters (these 30 over all three).
      await Promise.all(Array.from({ length: 30 }, (_, index) => client.set(`${marker}:${index}`, '1')));
      const spread = [...(await keysByNode(cluster!.ports)).values()].filter((keys) => keys.some((key) => key.startsWith(marker)));
      expect(spread).toHaveLength(3);
      await deleteKeysMatching(cluster!.url, `${marker}:*`);
      const left = [...(await keysByNode(cluster!.ports)).values()].flat().filter((key) => key.startsWith(marker));
      expect(left).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
