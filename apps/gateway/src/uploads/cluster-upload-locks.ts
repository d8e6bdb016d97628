/**
 * Upload locks across the workers of one gateway, held by the cluster's primary: a worker
 * asks for an upload's lock over the IPC channel, the primary grants it to one worker at a
 * time in the order asked, and takes it back when the holder releases it or dies.
 */
import cluster, { type Worker } from 'node:cluster';
import { RegistryError } from '@meridian/contracts';

type LockMessage =
  | { kind: 'meridian:upload-lock'; uploadId: string; ticket: number }
  /** the worker stopped waiting: the primary drops the ticket from the queue */
  | { kind: 'meridian:upload-lock-cancel'; uploadId: string; ticket: number }
  | { kind: 'meridian:upload-unlock'; uploadId: string }
  | { kind: 'meridian:upload-locked'; uploadId: string; ticket: number };

function isLockMessage(message: unknown): message is LockMessage {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && kind.startsWith('meridian:upload-');
}

/**
 * The worker's side: `acquire` resolves once the primary grants the lock, or fails with
 * UNAVAILABLE after `timeoutMs`; a grant that crosses the give-up is handed straight back.
 */
export class ClusterUploadLockClient {
  private readonly waiting = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private nextTicket = 0;

  constructor(private readonly channel: NodeJS.Process = process) {
    channel.on('message', (message: unknown) => {
      if (!isLockMessage(message) || message.kind !== 'meridian:upload-locked') return;
      const waiter = this.waiting.get(message.ticket);
      this.waiting.delete(message.ticket);
      if (waiter === undefined) this.release(message.uploadId);
      else waiter.resolve();
    });
    channel.on('disconnect', () => {
      for (const { reject } of this.waiting.values())
        reject(new Error('the gateway primary is gone'));
      this.waiting.clear();
    });
  }

  acquire(
    uploadId: string,
    timeoutMs = Number.POSITIVE_INFINITY,
    busy = 'another request on this upload is still running',
  ): Promise<void> {
    const ticket = this.nextTicket++;
    return new Promise((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            if (!this.waiting.delete(ticket)) return;
            this.send({ kind: 'meridian:upload-lock-cancel', uploadId, ticket });
            reject(
              new RegistryError('UNAVAILABLE', busy, {
                uploadId,
              }),
            );
          }, timeoutMs)
        : undefined;
      this.waiting.set(ticket, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.send({ kind: 'meridian:upload-lock', uploadId, ticket });
    });
  }

  release(uploadId: string): void {
    this.send({ kind: 'meridian:upload-unlock', uploadId });
  }

  private send(message: LockMessage): void {
    if (this.channel.connected) this.channel.send?.(message);
  }
}

interface Waiter {
  worker: Worker;
  uploadId: string;
  ticket: number;
}

/** The primary's side: one holder and a queue per upload. */
export function serveClusterUploadLocks(): void {
  const locks = new Map<string, { holder: Worker; queue: Waiter[] }>();

  const grant = (waiter: Waiter): void => {
    if (waiter.worker.isConnected()) {
      waiter.worker.send({
        kind: 'meridian:upload-locked',
        uploadId: waiter.uploadId,
        ticket: waiter.ticket,
      } satisfies LockMessage);
    }
  };
  const passOn = (uploadId: string): void => {
    const lock = locks.get(uploadId);
    if (lock === undefined) return;
    const next = lock.queue.shift();
    if (next === undefined) {
      locks.delete(uploadId);
      return;
    }
    lock.holder = next.worker;
    grant(next);
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isLockMessage(message)) return;
    if (message.kind === 'meridian:upload-lock') {
      const lock = locks.get(message.uploadId);
      const waiter = { worker, uploadId: message.uploadId, ticket: message.ticket };
      if (lock === undefined) {
        locks.set(message.uploadId, { holder: worker, queue: [] });
        grant(waiter);
      } else {
        lock.queue.push(waiter);
      }
    } else if (message.kind === 'meridian:upload-lock-cancel') {
      const lock = locks.get(message.uploadId);
      if (lock !== undefined) {
        lock.queue = lock.queue.filter(
          (waiter) => waiter.worker !== worker || waiter.ticket !== message.ticket,
        );
      }
    } else if (
      message.kind === 'meridian:upload-unlock' &&
      locks.get(message.uploadId)?.holder === worker
    ) {
      passOn(message.uploadId);
    }
  });
  cluster.on('exit', (worker) => {
    for (const [uploadId, lock] of locks) {
      lock.queue = lock.queue.filter((waiter) => waiter.worker !== worker);
      if (lock.holder === worker) passOn(uploadId);
    }
  });
}
