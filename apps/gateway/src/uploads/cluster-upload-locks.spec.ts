import { EventEmitter } from 'node:events';
import { ClusterUploadLockClient } from './cluster-upload-locks';

/** The worker's IPC channel to the primary: what it sent, and a way to answer. */
class FakeChannel extends EventEmitter {
  connected = true;
  readonly sent: unknown[] = [];

  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
  }

  answer(message: unknown): void {
    this.emit('message', message);
  }
}

describe(ClusterUploadLockClient.name, () => {
  it('takes the lock once the primary grants it', async () => {
    const channel = new FakeChannel();
    const sut = new ClusterUploadLockClient(channel as unknown as NodeJS.Process);

    const acquiring = sut.acquire('u1', 1_000);
    channel.answer({ kind: 'meridian:upload-locked', uploadId: 'u1', ticket: 0 });

    await expect(acquiring).resolves.toBeUndefined();
    expect(channel.sent).toEqual([{ kind: 'meridian:upload-lock', uploadId: 'u1', ticket: 0 }]);
  });

  it('gives up after its bound, leaves the queue, and hands a late grant straight back', async () => {
    const channel = new FakeChannel();
    const sut = new ClusterUploadLockClient(channel as unknown as NodeJS.Process);

    await expect(sut.acquire('u1', 10)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    channel.answer({ kind: 'meridian:upload-locked', uploadId: 'u1', ticket: 0 });

    expect(channel.sent).toEqual([
      { kind: 'meridian:upload-lock', uploadId: 'u1', ticket: 0 },
      { kind: 'meridian:upload-lock-cancel', uploadId: 'u1', ticket: 0 },
      { kind: 'meridian:upload-unlock', uploadId: 'u1' },
    ]);
  });
});
