/** The `gongkai` command line. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../shared/config';
import { describeError } from '../shared/errors';
import { PIPELINE_VERSION, STAGES, isStage, type Stage } from '../shared/pipeline';
import { anyUserExists } from '../shared/db/accounts';
import { summarizeDocuments } from '../shared/db/browse';
import { getDocument } from '../shared/db/documents';
import { redriveDeadLetters, reprocessDocuments } from '../shared/submissions';
import { runCoresInProcess } from '../workers/in-process';
import { watchEventLoopLag } from '../workers/loop-lag';
import { buildWebServer } from '../web/server';
import { runCheck } from './check';
import { printDeadLetters, printHistory, printStatus, printStuck, recoverStuck } from './status';
import { DEFAULT_GRACE_MS } from '../shared/recovery';
import { driveToCompletion, printSummary, runIngest, underWayNote } from './ingest';
import { renderReport } from './render-report';
import { printable } from './printable';
import { openRuntime, type Runtime } from './runtime';
import { addUser, printUsers } from './users';

function parseStages(value: string): Stage[] {
  const stages = value.split(',').map((stage) => stage.trim());
  const unknown = stages.filter((stage) => !isStage(stage));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown stage(s) ${unknown.join(', ')}; stages are ${STAGES.join(', ')}`);
  return stages as Stage[];
}

function parseStage(value: string): Stage {
  return parseStages(value)[0];
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
}

/** Runs a command with the runtime open, and always closes it (and a private Redis) afterwards. */
async function withRuntime(action: (runtime: Runtime) => Promise<void>): Promise<void> {
  const runtime = await openRuntime();
  try {
    await action(runtime);
  } finally {
    await runtime.close();
  }
}

/** What `reprocess --document` says of a document it did not restart. */
async function underWayNoteFor(runtime: Runtime, id: string): Promise<string> {
  const document = await getDocument(runtime.db, id);
  return document ? underWayNote(document.round, document.status) : 'no such document';
}

const program = new Command();
program.name('gongkai').description('Turns government information-disclosure annual reports into validated data').showHelpAfterError();

program
  .command('ingest')
  .description('submit report files (or directories, recursively) and wait until each is published or dead-lettered')
  .argument('<paths...>', 'files or directories')
  .option('--no-wait', 'only enqueue; do not wait for the results')
  .addOption(new Option('--local-workers <mode>', 'run workers in this process').choices(['auto', 'always', 'never']).default('auto'))
  .option('--timeout <seconds>', 'give up waiting after this long', positiveInteger, 3600)
  .option('--force', 'reprocess files submitted before; the new report supersedes the old, which is kept in the history')
  .option('--follow-links', 'follow symbolic links whose target lies inside the given folders (never outside them)')
  .action((paths: string[], options: { wait: boolean; localWorkers: 'auto' | 'always' | 'never'; timeout: number; force?: boolean; followLinks?: boolean }) =>
    withRuntime(async (runtime) => {
      process.exitCode = await runIngest(runtime, paths, {
        wait: options.wait,
        localWorkers: options.localWorkers,
        timeoutSeconds: options.timeout,
        force: options.force ?? false,
        followLinks: options.followLinks ?? false,
      });
    }),
  );

program
  .command('reprocess')
  .description(`run stored documents again (pipeline version now ${PIPELINE_VERSION}); each new report supersedes the old, which is kept`)
  .option('--outdated', 'every finished document processed by an older pipeline version')
  .option('--document <id...>', 'these documents')
  .option('--from <stage>', 'restart from this stage instead of ingest', parseStage, 'ingest' as Stage)
  .option('--no-wait', 'only enqueue; do not wait for the results')
  .action(async (options: { outdated?: boolean; document?: string[]; from: Stage; wait: boolean }) => {
    if (!options.outdated && !options.document) throw new InvalidArgumentError('say which documents: --outdated or --document <id...>');
    await withRuntime(async (runtime) => {
      const selection = options.outdated ? { outdated: true as const } : { documentIds: options.document ?? [] };
      const ids = await reprocessDocuments(runtime, selection, options.from);
      for (const id of options.document ?? []) {
        if (!ids.includes(id)) console.error(`${id}: ${await underWayNoteFor(runtime, id)}`);
      }
      console.error(`reprocessing ${ids.length} document(s) from ${options.from}`);
      if (!options.wait || ids.length === 0) return;
      const outcome = await driveToCompletion(runtime, ids, 'auto', 3600);
      printSummary(await summarizeDocuments(runtime.db, ids));
      console.error(`${outcome.published} published, ${outcome.deadLettered} dead-lettered, ${outcome.unfinished} unfinished`);
      if (outcome.deadLettered + outcome.unfinished > 0) process.exitCode = 1;
    });
  });

program
  .command('history')
  .description("a document's reports: the one in force and every one a reprocess superseded")
  .argument('<document>', 'a document id, or a file that was submitted')
  .action((documentId: string) => withRuntime((runtime) => printHistory(runtime, documentId)));

program
  .command('parse')
  .description('read one file with the stage cores in this process (no Redis or Postgres) and print the record')
  .argument('<file>')
  .option('--json', 'print the canonical record as JSON (a stable contract)')
  .action(async (file: string, options: { json?: boolean }) => {
    const bytes = await fs.readFile(file);
    const result = await runCoresInProcess(bytes, path.basename(file), { maxPages: loadConfig().maxPages });
    console.log(options.json ? JSON.stringify(result.record, null, 2) : renderReport(result.record));
  });

program
  .command('check')
  .description('read every report in a folder in-process; score values against NAME.truth.json beside a file; exit 1 on a wrong value no finding names')
  .argument('<dir>')
  .option('--json', 'print a machine-readable summary')
  .option('--follow-links', 'follow symbolic links whose target lies inside the folder (never outside it)')
  .action(async (dir: string, options: { json?: boolean; followLinks?: boolean }) => {
    process.exitCode = await runCheck(dir, { json: options.json ?? false, followLinks: options.followLinks ?? false });
  });

program
  .command('workers')
  .description('run stage workers until SIGINT/SIGTERM')
  .option('--stages <list>', `comma-separated subset of ${STAGES.join(',')}`, parseStages, [...STAGES])
  .action(async (options: { stages: Stage[] }) => {
    await withRuntime(async (runtime) => {
      runtime.startWorkers(options.stages);
      // Only a worker process of its own is watched: in-process workers share the loop with the command.
      const stopWatchingLag = watchEventLoopLag();
      runtime.stopping.addEventListener('abort', stopWatchingLag, { once: true });
      console.error(`workers running for ${options.stages.join(', ')} (prefix ${runtime.config.queuePrefix}); stop with Ctrl-C`);
      await new Promise((resolve) => runtime.stopping.addEventListener('abort', resolve, { once: true }));
      // A deliberate stop is a clean exit for a long-running worker.
      process.exitCode = 0;
    });
  });

program
  .command('serve')
  .description('the web pages, JSON API, queue dashboard and metrics (see README: Web)')
  .option('--port <port>', 'listen on this port (GONGKAI_WEB_PORT, default 8080)', (value) => Number(value))
  .option('--host <host>', 'listen on this address (GONGKAI_WEB_HOST, default 127.0.0.1)')
  .addOption(new Option('--workers <mode>', 'also run stage workers in this process').choices(['auto', 'always', 'never']).default('auto'))
  .action(async (options: { port?: number; host?: string; workers: 'auto' | 'always' | 'never' }) => {
    await withRuntime(async (runtime) => {
      const { web } = runtime.config;
      // Embedded Postgres lives in this process, so nobody else can run its workers.
      if (options.workers === 'always' || (options.workers === 'auto' && runtime.database.kind === 'embedded')) runtime.startWorkers();
      const server = await buildWebServer(runtime, { logger: { level: 'info' } });
      const address = await server.listen({ port: options.port ?? web.port, host: options.host ?? web.host });
      const canAct = web.operatorToken !== null || (await anyUserExists(runtime.db));
      console.error(`gongkai serving on ${address}${canAct ? '' : ' (read-only: create an account with `gongkai users add NAME --role admin` or GONGKAI_ADMIN_USER/GONGKAI_ADMIN_PASSWORD)'}; stop with Ctrl-C`);
      await new Promise((resolve) => runtime.stopping.addEventListener('abort', resolve, { once: true }));
      await server.close();
      process.exitCode = 0;
    });
  });

program
  .command('status')
  .description('documents per status and stage, and jobs per queue and state')
  .option('--stuck', 'list documents no job is working on')
  .option('--older-than <seconds>', 'with --stuck: only state unchanged for this long', positiveInteger, DEFAULT_GRACE_MS / 1000)
  .action((options: { stuck?: boolean; olderThan: number }) => withRuntime((runtime) => (options.stuck ? printStuck(runtime, options.olderThan * 1000) : printStatus(runtime))));

program
  .command('recover')
  .description('put stuck documents back on their queues (workers also do this every GONGKAI_RECONCILE_SECONDS)')
  .option('--older-than <seconds>', 'only state unchanged for this long', positiveInteger, DEFAULT_GRACE_MS / 1000)
  .action((options: { olderThan: number }) => withRuntime((runtime) => recoverStuck(runtime, options.olderThan * 1000)));

const users = program.command('users').description('accounts for the web pages (see README: Web)');
users
  .command('add')
  .description('create an account; the password comes from GONGKAI_PASSWORD or is asked for')
  .argument('<name>')
  .addOption(new Option('--role <role>', 'what the account may do').choices(['viewer', 'operator', 'admin']).default('viewer'))
  .action((name: string, options: { role: string }) => addUser(name, options.role));
users.command('list').description('every account with its role').action(() => printUsers());

const dlq = program.command('dlq').description('the dead-letter queue');
dlq
  .command('list')
  .description('documents that failed, with stage, error and attempts')
  .option('--stage <stage>', 'only letters that failed at this stage', parseStage)
  .option('--error-code <code>', 'only letters with this error code (e.g. TRANSIENT, CORRUPT_FILE)')
  .action((options: { stage?: Stage; errorCode?: string }) => withRuntime((runtime) => printDeadLetters(runtime, options)));
dlq
  .command('retry')
  .description('re-drive dead letters from the stage that failed')
  .option('--document <id>', 'only this document')
  .option('--stage <stage>', 'only letters that failed at this stage', parseStage)
  .option('--error-code <code>', 'only letters with this error code (e.g. TRANSIENT, CORRUPT_FILE)')
  .option('--from <stage>', 'restart from this stage instead of the one that failed', parseStage)
  .option('--all', 'every dead letter')
  .option('--no-wait', 'only enqueue; do not wait for the results')
  .action(async (options: { document?: string; stage?: Stage; errorCode?: string; from?: Stage; all?: boolean; wait: boolean }) => {
    if (!options.all && !options.document && !options.stage && !options.errorCode) {
      throw new InvalidArgumentError('say which letters to retry: --document, --stage, --error-code or --all');
    }
    await withRuntime(async (runtime) => {
      const ids = await redriveDeadLetters(runtime, { documentId: options.document, stage: options.stage, errorCode: options.errorCode }, options.from);
      console.error(`re-driven ${ids.length} document(s)`);
      if (!options.wait || ids.length === 0) return;
      const outcome = await driveToCompletion(runtime, ids, 'auto', 3600);
      console.error(`${outcome.published} published, ${outcome.deadLettered} dead-lettered again, ${outcome.unfinished} unfinished`);
      if (outcome.deadLettered + outcome.unfinished > 0) process.exitCode = 1;
    });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`gongkai: ${printable(describeError(error))}`);
  process.exitCode = process.exitCode || 1;
});
