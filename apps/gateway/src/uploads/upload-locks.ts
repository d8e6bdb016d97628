/**
 * One request at a time per upload session. Two chunks of one upload racing would both
 * append at the same offset: the blob service refuses the second advance, but by then the
 * filesystem store's bytes could be a mix of both, under a running hash of only one of
 * them, and a blob could be committed whose bytes are not its digest. Queued, the second
 * request runs after the first and finds the session moved (416 when it started at the
 * old offset). Sessions are per client, so the queue is almost always empty.
 *
 * Within a process the queue is a promise chain per upload. In a cluster a client's
 * connections may reach different workers, so each worker also takes the upload's lock
 * from the primary (see cluster-upload-locks.ts). Separate gateway replicas sharing one
 * store are not covered: that needs a lease from the blob service.
 *
 * Waiting is bounded: a request that finds the upload busy for longer than `maxWaitMs`
 * gives up with 503 UNAVAILABLE (a client may retry) instead of queueing forever behind a
 * request that does not end. Its place in the queue is given back at once; the requests
 * after it still wait for the one before it.
 */
import { RegistryError } from '@meridian/contracts';
import type { ClusterUploadLockClient } from './cluster-upload-locks';

export class UploadLocks {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly cluster?: ClusterUploadLockClient,
    private readonly maxWaitMs = 300_000,
  ) {}

  /** Runs `work` holding `uploadId`'s lock; `busy` is the 503's message after the wait. */
  async run<T>(
    uploadId: string,
    work: () => Promise<T>,
    busy = 'another request on this upload is still running',
  ): Promise<T> {
    const previous = this.tails.get(uploadId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous === undefined ? mine : previous.then(() => mine);
    this.tails.set(uploadId, tail);
    const startedAt = Date.now();
    try {
      if (previous !== undefined) await this.waitFor(previous, uploadId, busy);
      if (this.cluster === undefined) return await work();
      await this.cluster.acquire(uploadId, this.maxWaitMs - (Date.now() - startedAt), busy);
      try {
        return await work();
      } finally {
        this.cluster.release(uploadId);
      }
    } finally {
      release();
      // after giving up, the tail still waits for the request before: forget it only then
      void tail.then(() => {
        if (this.tails.get(uploadId) === tail) this.tails.delete(uploadId);
      });
    }
  }

  private async waitFor(previous: Promise<void>, uploadId: string, busy: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RegistryError('UNAVAILABLE', busy, {
              uploadId,
            }),
          ),
        this.maxWaitMs,
      );
    });
    try {
      await Promise.race([previous, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}
