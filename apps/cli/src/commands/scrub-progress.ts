/**
 * How `meridian scrub --wait` shows a job while it waits, on stderr: on a terminal a
 * cli-progress bar of the bytes checked, redrawn in place, with the blobs and what was found;
 * otherwise (a CI log) one plain line when the job changes state, finds something, or gets
 * another tenth of the way, so the log reads as a history.
 */
import type { ScrubJob } from '@meridian/contracts';

export interface ScrubProgressDisplay {
  update(job: ScrubJob): void;
  stop(): void;
}

export async function scrubProgressDisplay(
  stream: NodeJS.WriteStream,
): Promise<ScrubProgressDisplay> {
  return stream.isTTY ? progressBar(stream) : progressLines(stream);
}

/** `12/40 blobs, 3.0/9.5 MiB, 1 corrupt, 0 missing, 1 repaired, 0 unrepairable` */
export function describeScrub(job: ScrubJob): string {
  const { progress: p, counts: c } = job;
  return (
    `${p.blobsChecked}/${p.blobsTotal} blobs, ${mebibytes(p.bytesChecked)}/${mebibytes(p.bytesTotal)} MiB, ` +
    `${c.corrupt} corrupt, ${c.missing} missing, ${c.repaired} repaired, ${c.unrepairable} unrepairable`
  );
}

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

async function progressBar(stream: NodeJS.WriteStream): Promise<ScrubProgressDisplay> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream,
      format: ' scrub {bar} {percentage}% {state} {detail}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(job) {
      const total = Math.max(1, job.progress.bytesTotal);
      const payload = { state: job.state, detail: describeScrub(job) };
      if (!started) {
        bar.start(total, job.progress.bytesChecked, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(job.progress.bytesChecked, payload);
    },
    stop: () => bar.stop(),
  };
}

function progressLines(stream: NodeJS.WriteStream): ScrubProgressDisplay {
  let last: string | undefined;
  let tenth = -1;
  return {
    update(job) {
      const { bytesChecked, bytesTotal } = job.progress;
      const reached = bytesTotal === 0 ? 10 : Math.floor((bytesChecked / bytesTotal) * 10);
      const found = `${job.state} ${job.counts.corrupt} ${job.counts.missing}`;
      if (found === last && reached === tenth) return;
      last = found;
      tenth = reached;
      stream.write(`scrub ${job.id} ${job.state}: ${describeScrub(job)}\n`);
    },
    stop() {},
  };
}
