/**
 * An in-memory store with the upload behaviour of libs/storage's drivers: completing onto
 * an existing key only drops the upload, aborting is idempotent. Sizes stand in for bytes.
 */
import type { UploadState } from '@meridian/contracts';
import type { UploadStore } from '../../src/inject-storage-driver';

export class InMemoryUploadStore implements UploadStore {
  /** upload id → bytes appended */
  readonly uploads = new Map<string, number>();
  /** key → object size */
  readonly objects = new Map<string, number>();
  /** upload ids whose abort fails, as an unreachable store would */
  readonly failingAborts = new Set<string>();
  /** makes every complete fail after doing its work, as a lost reply would */
  failCompletesAfterMove = false;
  /** makes every put fail, as an unreachable store would */
  failingPuts = false;

  async startUpload(uploadId: string): Promise<UploadState> {
    this.uploads.set(uploadId, 0);
    return { size: 0, driver: { fake: true } };
  }

  /** What the gateway does between RPCs: appends bytes. */
  append(uploadId: string, state: UploadState, size: number): UploadState {
    const current = this.uploads.get(uploadId);
    if (current === undefined) throw new Error(`no upload ${uploadId}`);
    this.uploads.set(uploadId, state.size + size);
    return { size: state.size + size, driver: state.driver };
  }

  async completeUpload(uploadId: string, state: UploadState, key: string): Promise<void> {
    if (!this.objects.has(key)) {
      if (!this.uploads.has(uploadId)) throw new Error(`no upload ${uploadId}`);
      this.objects.set(key, state.size);
    }
    this.uploads.delete(uploadId);
    if (this.failCompletesAfterMove) throw new Error('store connection reset');
  }

  async put(key: string, body: Buffer | NodeJS.ReadableStream, size?: number): Promise<void> {
    if (!Buffer.isBuffer(body)) throw new Error('the fake store takes whole buffers only');
    if (size !== undefined && body.byteLength !== size) throw new Error('size mismatch');
    if (this.failingPuts) throw new Error('store unavailable');
    this.objects.set(key, body.byteLength);
  }

  async abortUpload(uploadId: string): Promise<void> {
    if (this.failingAborts.has(uploadId)) throw new Error('store unavailable');
    this.uploads.delete(uploadId);
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const size = this.objects.get(key);
    return size === undefined ? undefined : { size };
  }
}
