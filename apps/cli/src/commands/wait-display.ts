/**
 * How `replication status --wait` shows each region while it waits, on stderr: on a
 * terminal a cli-progress bar per region (full once the image is ready there), redrawn in
 * place; otherwise (a CI log) one plain line each time a region's state changes, so the
 * log reads as a history.
 */
import type { RegionStatus } from '@meridian/contracts';

export interface WaitDisplay {
  update(regions: readonly RegionStatus[], elapsedMs: number): void;
  stop(): void;
}

export async function waitDisplay(
  stream: NodeJS.WriteStream,
  regions: readonly string[],
): Promise<WaitDisplay> {
  return stream.isTTY ? progressBars(stream, regions) : changeLines(stream);
}

async function progressBars(
  stream: NodeJS.WriteStream,
  regions: readonly string[],
): Promise<WaitDisplay> {
  const { MultiBar, Presets } = await import('cli-progress');
  const width = Math.max(...regions.map((region) => region.length));
  const multibar = new MultiBar(
    {
      stream,
      format: ' {region} {bar} {state} {detail}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  const bars = new Map(
    regions.map((region) => [
      region,
      multibar.create(1, 0, { region: region.padEnd(width), state: 'pending', detail: '' }),
    ]),
  );
  return {
    update(statuses, elapsedMs) {
      for (const status of statuses) {
        bars.get(status.region)?.update(status.state === 'ready' ? 1 : 0, {
          region: status.region.padEnd(width),
          state: status.state.padEnd(7),
          detail: detailOf(status, elapsedMs),
        });
      }
    },
    stop: () => multibar.stop(),
  };
}

function changeLines(stream: NodeJS.WriteStream): WaitDisplay {
  const seen = new Map<string, string>();
  return {
    update(statuses) {
      for (const status of statuses) {
        const detail =
          status.state === 'ready'
            ? status.lagMs !== undefined
              ? ` (lag ${status.lagMs} ms)`
              : ''
            : status.lastError
              ? ` (${status.lastError})`
              : '';
        const line = `${status.region}: ${status.state}${detail}`;
        if (seen.get(status.region) === `${status.state} ${status.lastError ?? ''}`) continue;
        seen.set(status.region, `${status.state} ${status.lastError ?? ''}`);
        stream.write(`${line}\n`);
      }
    },
    stop() {},
  };
}

function detailOf(status: RegionStatus, elapsedMs: number): string {
  if (status.state === 'ready') return status.lagMs !== undefined ? `lag ${status.lagMs} ms` : '';
  const waited = `waited ${Math.round(elapsedMs / 1000)}s`;
  return status.lastError ? `${waited}: ${status.lastError}` : waited;
}
