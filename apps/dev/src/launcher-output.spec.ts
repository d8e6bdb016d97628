import { Writable } from 'node:stream';
import { createLauncherOutput, type LineSource, type OutputOptions } from './launcher-output';

function capture(options: Omit<OutputOptions, 'stdout' | 'stderr'>) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split('\n'));
      done();
    },
  });
  return { lines, sut: createLauncherOutput({ ...options, stdout: stream, stderr: stream }) };
}

const blob: LineSource = {
  prefix: 'us-east/blob',
  kind: 'service',
  service: 'blob',
  region: 'us-east',
};
const nats: LineSource = {
  prefix: 'us-east/nats',
  kind: 'nats',
  service: 'nats-server',
  region: 'us-east',
};
const record = (level: string, msg: string) =>
  JSON.stringify({ level, time: 0, service: 'blob', region: 'us-east', msg });

describe(createLauncherOutput.name, () => {
  it('prints the ready line users and scripts wait for', () => {
    const { lines, sut } = capture({ format: 'pretty', logLevel: 'info' });
    sut.ready([
      { region: 'us-east', url: 'http://127.0.0.1:5000' },
      { region: 'eu-west', url: 'http://127.0.0.1:5001' },
    ]);
    expect(lines).toEqual([
      'meridian ready: us-east http://127.0.0.1:5000, eu-west http://127.0.0.1:5001',
    ]);
  });

  it('shows service lines at the configured level and above, and every line that is not a record', () => {
    const { lines, sut } = capture({ format: 'pretty', logLevel: 'warn' });
    sut.processLine(blob, { stream: 'stdout', text: record('info', 'service ready') });
    sut.processLine(blob, { stream: 'stdout', text: record('error', 'failed to connect') });
    sut.processLine(blob, { stream: 'stderr', text: 'TypeError: boom' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/\[us-east\/blob\] ERROR failed to connect$/);
    expect(lines[1]).toBe('[us-east/blob] TypeError: boom');
  });

  it("shows nats-server's warnings and errors, its chatter only when verbose", () => {
    const quiet = capture({ format: 'pretty', logLevel: 'info' });
    const verbose = capture({ format: 'pretty', logLevel: 'debug' });
    for (const { sut } of [quiet, verbose]) {
      sut.processLine(nats, {
        stream: 'stderr',
        text: '[1] 2026/01/01 00:00:00.000000 [INF] Server is ready',
      });
      sut.processLine(nats, {
        stream: 'stderr',
        text: '[1] 2026/01/01 00:00:00.000000 [WRN] slow consumer',
      });
    }
    expect(quiet.lines).toEqual([
      '[us-east/nats] [1] 2026/01/01 00:00:00.000000 [WRN] slow consumer',
    ]);
    expect(verbose.lines).toHaveLength(2);
  });

  it('filters service records by level in json format too', () => {
    const { lines, sut } = capture({ format: 'json', logLevel: 'warn' });
    sut.processLine(blob, { stream: 'stdout', text: record('info', 'service ready') });
    sut.processLine(blob, { stream: 'stdout', text: record('warn', 'slow') });
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['slow']);
  });

  it('passes service records through untouched in json format, and wraps everything else', () => {
    const { lines, sut } = capture({ format: 'json', logLevel: 'info' });
    const line = record('info', 'service ready');
    sut.processLine(blob, { stream: 'stdout', text: line });
    sut.processLine(nats, { stream: 'stderr', text: '[1] [ERR] cannot bind' });
    sut.info('starting', { regions: 'us-east' });
    expect(lines[0]).toBe(line);
    expect(JSON.parse(lines[1]!)).toMatchObject({
      level: 'error',
      service: 'nats-server',
      region: 'us-east',
      msg: '[1] [ERR] cannot bind',
    });
    expect(JSON.parse(lines[2]!)).toMatchObject({
      level: 'info',
      service: 'dev',
      msg: 'starting',
      regions: 'us-east',
    });
  });
});
