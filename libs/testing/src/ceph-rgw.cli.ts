/**
 * Starts one Ceph RGW for a whole test run and stays in the foreground until SIGTERM/SIGINT.
 * Prints the MERIDIAN_TEST_S3_* lines on stdout once S3 requests succeed; with
 * `--env-out <path>` also writes them to that file (atomically, so a waiting script
 * never reads half of it; not `--env-file`, which Node 20 takes for its own flag even after
 * the script name).
 *
 *   node -r @swc-node/register libs/testing/src/ceph-rgw.cli.ts [--data-dir <dir>] [--env-out <path>]
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startCephRgw, testS3EnvLines } from './ceph-rgw';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, 'env-out': { type: 'string' } },
  });
  const startedAt = Date.now();
  const server = await startCephRgw({ dataDir: values['data-dir'] });
  const lines = testS3EnvLines(server).join('\n') + '\n';
  const envFile = values['env-out'];
  if (envFile) {
    await writeFile(`${envFile}.tmp`, lines);
    await rename(`${envFile}.tmp`, envFile);
  }
  process.stdout.write(lines);
  process.stderr.write(`ceph rgw ready at ${server.endpoint} after ${Date.now() - startedAt} ms\n`);

  // Keeps the event loop alive: the cluster's own handles are unref'd on purpose.
  const keepAlive = setInterval(() => undefined, 60_000);
  const shutdown = () => {
    clearInterval(keepAlive);
    const removeEnvFile = envFile ? rm(envFile, { force: true }) : Promise.resolve();
    Promise.all([server.stop(), removeEnvFile]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`failed to stop ceph rgw: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
