/**
 * How `meridian import --wait` shows a job while it runs, on stderr: on a terminal a
 * cli-progress bar of bytes with the blobs done beside it, redrawn in place; otherwise (a CI
 * log) one plain line each time the state or the blob count changes, so the log reads as a
 * history.
 */
import type { ImportJob } from '@meridian/contracts';

export interface ImportDisplay {
  update(job: ImportJob): void;
  stop(): void;
}

export async function importDisplay(stream: NodeJS.WriteStream): Promise<ImportDisplay> {
  return stream.isTTY ? progressBar(stream) : changeLines(stream);
}

async function progressBar(stream: NodeJS.WriteStream): Promise<ImportDisplay> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream,
      // cli-progress's own tokens ({value}, {total}) are the bar's numbers: the payload's differ
      format: ' {bar} {bytesDone}/{bytesTotal} | blobs {blobsDone}/{blobsTotal} | {state}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(job) {
      const { bytesDone, bytesTotal, blobsDone, blobsTotal } = job.progress;
      const payload = {
        bytesDone: formatBytes(bytesDone),
        bytesTotal: formatBytes(bytesTotal),
        blobsDone,
        blobsTotal,
        state: describeState(job),
      };
      if (!started) {
        bar.start(Math.max(bytesTotal, 1), bytesDone, payload);
        started = true;
      }
      bar.setTotal(Math.max(bytesTotal, 1));
      bar.update(job.state === 'succeeded' ? Math.max(bytesTotal, 1) : bytesDone, payload);
    },
    stop: () => bar.stop(),
  };
}

function changeLines(stream: NodeJS.WriteStream): ImportDisplay {
  let last = '';
  return {
    update(job) {
      const { bytesDone, bytesTotal, blobsDone, blobsTotal } = job.progress;
      const key = `${job.state} ${blobsDone} ${job.error?.message ?? ''}`;
      if (key === last) return;
      last = key;
      stream.write(
        `${describeState(job)}: blobs ${blobsDone}/${blobsTotal}, ${formatBytes(bytesDone)}/${formatBytes(bytesTotal)}\n`,
      );
    },
    stop() {},
  };
}

/** The state, with the reason of the last failed try while a retry waits. */
export function describeState(job: ImportJob): string {
  if (job.state === 'queued' && job.error) return `retrying (${job.error.message})`;
  return job.state;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
