import { ManagedProcess, ProcessStartError } from '../src/managed-process';

function node(
  name: string,
  script: string,
  extra: Partial<Parameters<typeof ManagedProcess.spawn>[0]> = {},
) {
  return ManagedProcess.spawn({ name, command: process.execPath, args: ['-e', script], ...extra });
}

describe(ManagedProcess.name, () => {
  const started: ManagedProcess[] = [];
  const track = (child: ManagedProcess) => (started.push(child), child);
  afterAll(() => Promise.all(started.map((child) => child.stop({ signal: 'SIGKILL' }))));

  it('hands every line of both streams to onLine, in order per stream', async () => {
    const lines: string[] = [];
    const sut = track(
      node('printer', "console.log('one'); console.error('two'); console.log('three')", {
        onLine: (line) => lines.push(`${line.stream}:${line.text}`),
      }),
    );
    await expect(sut.exited).resolves.toEqual({ code: 0, signal: null });
    expect(lines.filter((line) => line.startsWith('stdout'))).toEqual([
      'stdout:one',
      'stdout:three',
    ]);
    expect(lines).toContain('stderr:two');
  });

  it('waits for a line, also one printed before waiting began', async () => {
    const sut = track(
      node(
        'ready',
        "console.log('booting'); setTimeout(() => console.log('ready'), 50); setInterval(() => {}, 1000)",
      ),
    );
    await expect(
      sut.waitForLine((line) => line.text === 'ready', { timeoutMs: 5000 }),
    ).resolves.toMatchObject({ text: 'ready' });
    await expect(
      sut.waitForLine((line) => line.text === 'booting', { timeoutMs: 10 }),
    ).resolves.toMatchObject({ text: 'booting' });
  });

  it('rejects the wait with the last lines when the process exits first', async () => {
    const sut = track(
      node('crasher', "console.error('bad config: MERIDIAN_PORT'); process.exit(3)"),
    );
    const wait = sut.waitForLine(() => false, { timeoutMs: 5000, description: 'service ready' });
    await expect(wait).rejects.toThrow(ProcessStartError);
    await expect(wait).rejects.toThrow(
      /crasher exited with code 3 before service ready[\s\S]*bad config: MERIDIAN_PORT/,
    );
  });

  it('rejects the wait on timeout', async () => {
    const sut = track(node('silent', 'setInterval(() => {}, 1000)'));
    await expect(
      sut.waitForLine(() => false, { timeoutMs: 100, description: 'service ready' }),
    ).rejects.toThrow('silent did not print service ready within 100 ms');
  });

  it('stops with the stop signal, letting the process clean up', async () => {
    const sut = track(
      node(
        'graceful',
        "process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); console.log('up'); setInterval(() => {}, 1000)",
      ),
    );
    await sut.waitForLine((line) => line.text === 'up');
    await expect(sut.stop()).resolves.toEqual({ code: 0, signal: null });
    expect(sut.recentLines().map((line) => line.text)).toEqual(['up', 'bye']);
    expect(sut.running).toBe(false);
  });

  it('kills a process that ignores the stop signal after the grace period', async () => {
    const sut = track(
      node(
        'stubborn',
        "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)",
      ),
    );
    await sut.waitForLine((line) => line.text === 'up');
    const started = Date.now();
    await expect(sut.stop({ graceMs: 200 })).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('stops the processes its child started too', async () => {
    const sut = track(
      node(
        'parent',
        "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)",
      ),
    );
    const grandchild = Number((await sut.waitForLine((line) => /^\d+$/.test(line.text))).text);
    await sut.stop();
    await expect(waitUntilGone(grandchild)).resolves.toBe(true);
  });

  it('reports a binary that cannot be started', async () => {
    const sut = track(ManagedProcess.spawn({ name: 'missing', command: '/nonexistent/binary' }));
    const status = await sut.exited;
    expect(status.error?.message).toContain('ENOENT');
    await expect(sut.waitForLine(() => true)).rejects.toThrow('missing could not be started');
  });
});

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
