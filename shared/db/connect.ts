/** Opens Postgres (a server, or embedded PGlite when no DATABASE_URL is set) and migrates it. */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import { Pool, types } from 'pg';
import Cursor from 'pg-cursor';
import type { Config } from '../config';
import { PgliteDialect } from './pglite-dialect';
import type { Database } from './schema';
import * as initial from './migrations/001_initial';
import * as pageOcr from './migrations/002_page_ocr';
import * as deadLetters from './migrations/003_dead_letters';
import * as reprocessing from './migrations/004_reprocessing';
import * as countedReports from './migrations/005_counted_reports';
import * as places from './migrations/006_places';
import * as accounts from './migrations/007_accounts';
import * as bulk from './migrations/008_bulk';
import * as findingLanguage from './migrations/009_finding_language';
import * as pageBoxes from './migrations/010_page_boxes';
import * as typedStageOutputs from './migrations/011_typed_stage_outputs';
import * as stageOutputStore from './migrations/012_stage_output_store';
import * as compactCells from './migrations/013_compact_cells';
import * as documentMoves from './migrations/014_document_moves';

// bigint ids and sizes fit in a JS number for any realistic count; numeric stays a string (exact).
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

const migrations: Record<string, Migration> = {
  '001_initial': initial,
  '002_page_ocr': pageOcr,
  '003_dead_letters': deadLetters,
  '004_reprocessing': reprocessing,
  '005_counted_reports': countedReports,
  '006_places': places,
  '007_accounts': accounts,
  '008_bulk': bulk,
  '009_finding_language': findingLanguage,
  '010_page_boxes': pageBoxes,
  '011_typed_stage_outputs': typedStageOutputs,
  '012_stage_output_store': stageOutputStore,
  '013_compact_cells': compactCells,
  '014_document_moves': documentMoves,
};

/** Every migration, in order; tests migrate to one of them to check the next on data of the old shape. */
export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name '${name}'`);
  return `"${name}"`;
}

/** A Postgres server's schema, not migrated (openDatabase migrates); also for a thread of its own, such as an export's. */
export async function openServer(url: string, schema: string): Promise<Kysely<Database>> {
  if (schema !== 'public') {
    const setup = new Pool({ connectionString: url, max: 1 });
    try {
      await setup.query(`create schema if not exists ${quoteIdentifier(schema)}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.GONGKAI_DB_POOL || 8),
    options: `-c search_path=${quoteIdentifier(schema)}`,
    // A server that does not answer (not one that refuses) must fail the job as an outage, not hang it.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // A dropped connection must not crash the worker; the query in flight fails, the job retries, and
  // the pool reconnects. Idle clients report on the pool, checked-out ones on the client itself.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // The cursor lets exports stream (`.stream()`) instead of loading every row.
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
}

async function openEmbedded(dataDir: string): Promise<Kysely<Database>> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  return new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
}

export async function migrate(db: Kysely<Database>, schema: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const kind = config.databaseUrl ? 'postgres' : 'embedded';
  const db = config.databaseUrl ? await openServer(config.databaseUrl, config.dbSchema) : await openEmbedded(config.dataDir);
  try {
    await migrate(db, kind === 'embedded' ? 'public' : config.dbSchema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, kind, close: () => db.destroy() };
}

/** Drops a schema made for one test run. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  } finally {
    await pool.end();
  }
}
