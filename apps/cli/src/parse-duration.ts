/**
 * A duration as the flags take it: `90s`, `10m`, `1h`, `1h30m`, `500ms`; a bare number is
 * seconds. Anything else is a usage error.
 */
import { usageError } from './cli-error';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  let found: RegExpExecArray | null;
  while ((found = part.exec(trimmed)) !== null) {
    total += Number(found[1]) * unitMs[found[2]!]!;
    end = part.lastIndex;
  }
  if (trimmed === '' || end !== trimmed.length) {
    throw usageError(`"${text}" is not a duration (e.g. 90s, 10m, 1h30m)`);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
}
