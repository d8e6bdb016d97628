import { UploadLocks } from './upload-locks';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe(UploadLocks.name, () => {
  it('runs the work of one upload one at a time, in arrival order', async () => {
    const sut = new UploadLocks();
    const order: string[] = [];
    const gate = deferred();

    const first = sut.run('u1', async () => {
      order.push('first starts');
      await gate.promise;
      order.push('first ends');
    });
    const second = sut.run('u1', async () => {
      order.push('second');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first starts']);

    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second']);
  });

  it('does not hold up other uploads', async () => {
    const sut = new UploadLocks();
    const gate = deferred();
    const blocked = sut.run('u1', () => gate.promise);

    await expect(sut.run('u2', async () => 'done')).resolves.toBe('done');
    gate.resolve();
    await blocked;
  });

  it('goes on after a failure', async () => {
    const sut = new UploadLocks();

    await expect(sut.run('u1', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(sut.run('u1', async () => 'next')).resolves.toBe('next');
  });

  it('gives up waiting after its bound, and the queue still runs in order', async () => {
    const sut = new UploadLocks(undefined, 20);
    const order: string[] = [];
    const gate = deferred();
    const stuck = sut.run('u1', async () => {
      await gate.promise;
      order.push('stuck ends');
    });

    await expect(sut.run('u1', async () => order.push('impatient'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    const later = sut.run('u1', async () => order.push('later'));
    gate.resolve();
    await Promise.all([stuck, later]);
    expect(order).toEqual(['stuck ends', 'later']);
  });
});
