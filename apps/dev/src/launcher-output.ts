/**
 * Everything the launcher prints: its own messages, and the lines of the processes it
 * runs, each prefixed `[<region>/<process>]`. Pretty by default (one readable line per
 * service log line); with MERIDIAN_LOG_FORMAT=json every line is a JSON object, service
 * lines passed through untouched, so the output can be piped to jq or a log shipper.
 *
 * nats-server and Postgres are chatty at start; their warnings and errors are shown,
 * the rest only at log level debug or trace (and in the last lines of a failure).
 */
import type { OutputLine } from '@meridian/process';
import type { LauncherConfig } from './config';
import { formatLogLine, isAtLeast, levelOf, parseLogLine } from './format-log-line';

export type Fields = Record<string, unknown>;

export interface LineSource {
  /** `us-east/blob` */
  prefix: string;
  kind: 'service' | 'nats' | 'postgres';
  service: string;
  region?: string;
}

export interface LauncherOutput {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields, detail?: string): void;
  /** `detail` is multi-line text shown under the message, e.g. a process's last lines */
  error(message: string, fields?: Fields, detail?: string): void;
  ready(regions: ReadonlyArray<{ region: string; url: string }>): void;
  processLine(source: LineSource, line: OutputLine): void;
}

export interface OutputOptions {
  format: LauncherConfig['logFormat'];
  logLevel: LauncherConfig['logLevel'];
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
}

export function createLauncherOutput(options: OutputOptions): LauncherOutput {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const verbose = options.logLevel === 'debug' || options.logLevel === 'trace';
  const color = options.format === 'pretty' && stdout.isTTY === true && !process.env['NO_COLOR'];
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);

  const json = (level: string, msg: string, fields: Fields = {}) =>
    JSON.stringify({ level, time: new Date().toISOString(), service: 'dev', msg, ...fields });
  const pretty = (msg: string, fields: Fields = {}) =>
    [
      paint(2, '[meridian]'),
      msg,
      ...Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`),
    ].join(' ');

  if (options.format === 'json') {
    return {
      info: (msg, fields) => write(stdout, json('info', msg, fields)),
      warn: (msg, fields, detail) =>
        write(stdout, json('warn', msg, detail ? { ...fields, detail } : fields)),
      error: (msg, fields, detail) =>
        write(stderr, json('error', msg, detail ? { ...fields, detail } : fields)),
      ready: (regions) =>
        write(
          stdout,
          json('info', 'meridian ready', {
            regions: Object.fromEntries(regions.map(({ region, url }) => [region, url])),
          }),
        ),
      processLine(source, line) {
        const record = source.kind === 'service' ? parseLogLine(line.text) : undefined;
        if (record) {
          if (isAtLeast(levelOf(record), options.logLevel)) write(stdout, line.text);
          return;
        }
        const level = infraLevel(source, line);
        if (source.kind !== 'service' && level === 'info' && !verbose) return;
        write(
          stdout,
          JSON.stringify({
            level,
            time: new Date().toISOString(),
            service: source.service,
            region: source.region,
            msg: line.text,
          }),
        );
      },
    };
  }

  return {
    info: (msg, fields) => write(stdout, pretty(msg, fields)),
    warn: (msg, fields, detail) =>
      write(stdout, pretty(paint(33, `warning: ${msg}`), fields) + (detail ? `\n${detail}` : '')),
    error: (msg, fields, detail) =>
      write(stderr, pretty(paint(31, `error: ${msg}`), fields) + (detail ? `\n${detail}` : '')),
    ready: (regions) =>
      write(
        stdout,
        `meridian ready: ${regions.map(({ region, url }) => `${region} ${url}`).join(', ')}`,
      ),
    processLine(source, line) {
      const prefix = paint(36, `[${source.prefix}]`);
      if (source.kind === 'service') {
        const formatted = formatLogLine(prefix, line.text);
        if (formatted.level && !isAtLeast(formatted.level, options.logLevel)) return;
        const code = formatted.level
          ? { warn: 33, error: 31, fatal: 31 }[formatted.level]
          : undefined;
        return void write(stdout, code ? paint(code, formatted.text) : formatted.text);
      }
      const level = infraLevel(source, line);
      if (level === 'info' && !verbose) return;
      write(
        stdout,
        `${prefix} ${level === 'info' ? line.text : paint(level === 'warn' ? 33 : 31, line.text)}`,
      );
    },
  };
}

/** The severity of a nats-server or Postgres line, read from its own marker. */
function infraLevel(source: LineSource, line: OutputLine): 'info' | 'warn' | 'error' {
  const marker =
    source.kind === 'nats'
      ? /\[(WRN|ERR|FTL)\]/.exec(line.text)?.[1]
      : /\b(WARNING|ERROR|FATAL|PANIC):/.exec(line.text)?.[1];
  if (!marker) return 'info';
  return marker === 'WRN' || marker === 'WARNING' ? 'warn' : 'error';
}
