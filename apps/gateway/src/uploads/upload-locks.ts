/**
 * One request at a time per upload session in this gateway. Two chunks of one upload
 * racing would both append at the same offset; the blob service refuses the second
 * advance, but by then its bytes could have overwritten the first's. Queued here, the
 * second runs after the first and finds the session moved (416 when it started at the
 * old offset). Sessions are per client, so the queue is almost always empty.
 */
import { Injectable } from '@nestjs/common';

@Injectable()
export class UploadLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(uploadId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(uploadId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous === undefined ? mine : previous.then(() => mine);
    this.tails.set(uploadId, tail);
    try {
      await previous;
      return await work();
    } finally {
      release();
      if (this.tails.get(uploadId) === tail) this.tails.delete(uploadId);
    }
  }
}
