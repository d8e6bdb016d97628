/**
 * Starts one embedded Postgres for a whole test run (when the machine has none) and stays
 * in the foreground until SIGTERM/SIGINT, then stops it and removes its data. Prints
 * `MERIDIAN_TEST_POSTGRES_URL=...` once it accepts connections; with `--env-out <path>`
 * also writes that line to the file, atomically.
 *
 *   node -r @swc-node/register libs/testing/src/postgres.cli.ts [--env-out <path>]
 */
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres, whenOrphaned } from '@meridian/process';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'env-out': { type: 'string' } } });
  const dir = await mkdtemp(join(tmpdir(), 'meridian-test-pg-'));
  // as root the server runs as another user, who must be able to reach its data directory
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '300',
    },
    onLine: (line) => process.stderr.write(`${line.text}\n`),
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const line = `MERIDIAN_TEST_POSTGRES_URL=${server.url}\n`;
  const envFile = values['env-out'];
  if (envFile) {
    await writeFile(`${envFile}.tmp`, line);
    await rename(`${envFile}.tmp`, envFile);
  }
  process.stdout.write(line);

  const shutdown = () => {
    void server
      .stop()
      .then(() => rm(dir, { recursive: true, force: true }))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`failed to stop postgres: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // a test runner killed outright cannot signal us
  whenOrphaned(shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
