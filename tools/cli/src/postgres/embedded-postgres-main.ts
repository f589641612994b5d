import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readEmbeddedPostgresConfig } from './embedded-postgres-config.js';
import { ExtendedQueryGuard } from './extended-query-guard.js';
import { readEmbeddedPostgresState, removeEmbeddedPostgresState, writeEmbeddedPostgresState } from './embedded-postgres-state.js';
import { isProcessAlive } from '../stack/process-alive.js';

/**
 * The embedded PostgreSQL of `cohort up`: PGlite persisted in a directory, served
 * over the PostgreSQL wire protocol on a TCP port. Its own process, so a crash of
 * the database does not take the supervisor down, and the other way round.
 */
const logger = new JsonLogger('embedded-postgres');

async function main(): Promise<void> {
  const config = readEmbeddedPostgresConfig();
  const previous = readEmbeddedPostgresState(config.stateFile);
  if (previous && previous.pid !== process.pid && isProcessAlive(previous.pid)) {
    // Two processes on one PGlite directory would corrupt it.
    throw new Error(`an embedded PostgreSQL (pid ${previous.pid}) already serves ${config.dataDir}`);
  }
  mkdirSync(config.dataDir, { recursive: true });
  // Opening a new directory runs initdb for several seconds; a stop asked meanwhile
  // waits for it, so the directory is never left half-initialised.
  const opening = PGlite.create({ dataDir: config.dataDir });
  const serving = opening.then(async (db) => {
    const server = new PGLiteSocketServer({
      db: new ExtendedQueryGuard(db).asServerDatabase(),
      host: config.host,
      port: config.port,
      maxConnections: config.maxConnections,
    });
    await server.start();
    return server;
  });
  onShutdownSignal(
    async () => {
      const db = await opening;
      await serving.then((server) => server.stop()).catch(() => undefined);
      await db.close();
      removeEmbeddedPostgresState(config.stateFile, process.pid);
      logger.log('stopped; the database files are closed');
    },
    { timeoutMs: 30_000, log: (message) => logger.log(message) },
  );
  const server = await serving;
  const port = Number(server.getServerConn().split(':').at(-1));
  writeEmbeddedPostgresState(config.stateFile, { pid: process.pid, host: config.host, port });
  logger.log(`listening on ${config.host}:${port} with the data in ${config.dataDir} (at most ${config.maxConnections} connections)`);
}

main().catch((error: unknown) => {
  logger.error(`cannot start: ${(error as Error).message}`);
  process.exit(1);
});
