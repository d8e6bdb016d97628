/**
 * Turns a service's pino JSON line into one readable line for a terminal:
 *   12:04:05.120 [us-east/blob] INFO  blob uploaded digest=sha256:ab… size=1024
 * Fields every line carries (service, region, pid, hostname) are left out: the prefix
 * says them. An error's stack follows on indented lines. A line that is not JSON is
 * printed as it came.
 */

import { type LogLevel, logLevels } from './config';

const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const implicitFields = new Set([
  'level',
  'time',
  'msg',
  'service',
  'region',
  'pid',
  'hostname',
  'v',
]);
const maxFieldLength = 300;

/** Whether `level` is as severe as `threshold` or more (`error` is at least `warn`). */
export function isAtLeast(level: string, threshold: LogLevel): boolean {
  const rank = logLevels.indexOf(level as LogLevel);
  return rank === -1 || rank <= logLevels.indexOf(threshold);
}

export interface FormattedLine {
  /** undefined for a line that is not a log record (a stack trace on stderr) */
  level: string | undefined;
  text: string;
}

export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function levelOf(record: Record<string, unknown>): string {
  const level = record['level'];
  if (typeof level === 'number') return levelNames[level] ?? String(level);
  return typeof level === 'string' ? level : 'info';
}

export function formatLogLine(prefix: string, line: string): FormattedLine {
  const record = parseLogLine(line);
  if (!record) return { level: undefined, text: `${prefix} ${line}` };
  const level = levelOf(record);
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (implicitFields.has(key) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: unknown; stack?: unknown };
      fields.push(`err=${quote(String(err.message ?? ''))}`);
      if (typeof err.stack === 'string') stack = err.stack;
      continue;
    }
    fields.push(
      `${key}=${typeof value === 'string' ? quote(value) : shorten(JSON.stringify(value))}`,
    );
  }
  const head = [
    clock(record['time']),
    prefix,
    level.toUpperCase().padEnd(5),
    String(record['msg'] ?? ''),
    ...fields,
  ].join(' ');
  const tail = stack
    ? `\n${stack
        .split('\n')
        .map((stackLine) => `    ${stackLine.trim()}`)
        .join('\n')}`
    : '';
  return { level, text: head + tail };
}

/** Strings are quoted only when they would not read as one token. */
function quote(value: string): string {
  const short = shorten(value);
  return /[\s"=]/.test(short) || short === '' ? JSON.stringify(short) : short;
}

function shorten(value: string): string {
  return value.length > maxFieldLength ? `${value.slice(0, maxFieldLength)}…` : value;
}

function clock(time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(valid.getHours())}:${pad(valid.getMinutes())}:${pad(valid.getSeconds())}.${pad(valid.getMilliseconds(), 3)}`;
}
