import { Writable } from 'node:stream';
import { onShutdownSignal } from './graceful-shutdown';
import { createLogger } from './logger';

const logger = createLogger({
  service: 'manifest',
  region: 'us-east',
  destination: new Writable({ write: (_chunk, _enc, done) => done() }),
});

function shutdownWith(stop: () => Promise<void>, graceMs = 1_000) {
  const exits: number[] = [];
  const trigger = onShutdownSignal({ logger, graceMs, stop, exit: (code) => exits.push(code) });
  return { trigger, exits };
}

describe(onShutdownSignal.name, () => {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));

  // only the handlers these tests installed: the test runner may have its own
  afterEach(() => {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
    }
  });

  it('exits 0 once the work in hand is finished', async () => {
    let finished = false;
    const { trigger, exits } = shutdownWith(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    await trigger('SIGTERM');
    expect(finished).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('stops once however many signals come', async () => {
    let stops = 0;
    const { trigger, exits } = shutdownWith(async () => {
      stops += 1;
    });
    await Promise.all([trigger('SIGTERM'), trigger('SIGINT')]);
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when stopping fails', async () => {
    const { trigger, exits } = shutdownWith(() => Promise.reject(new Error('pool gone')));
    await trigger('SIGTERM');
    expect(exits).toEqual([1]);
  });

  it('exits 1 when the work outlives the grace period', async () => {
    const { trigger, exits } = shutdownWith(() => new Promise(() => undefined), 30);
    await trigger('SIGTERM');
    expect(exits).toEqual([1]);
  });

  it('runs on SIGTERM', async () => {
    const { exits } = shutdownWith(async () => undefined);
    process.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits).toEqual([0]);
  });
});
