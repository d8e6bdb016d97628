/**
 * The service processes of one region of a Meridian the launcher runs: found through /proc
 * by their entry point (compiled-meridian.ts), the data directory the launcher
 * passed them and their region (`MERIDIAN_REGION`), so tests can restart one service as an
 * orchestrator would in a rolling update.
 */
import { readFile, readdir } from 'node:fs/promises';
import { serviceEntryPoint } from './compiled-meridian';

export async function servicePids(
  service: string,
  dataDir: string,
  region: string,
): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/environ`, 'utf8').catch(() => ''),
    ]);
    if (
      cmdline.split('\0').includes(serviceEntryPoint(service)) &&
      environ.split('\0').includes(`MERIDIAN_DATA_DIR=${dataDir}`) &&
      environ.split('\0').includes(`MERIDIAN_REGION=${region}`)
    )
      pids.push(Number(entry));
  }
  return pids;
}
