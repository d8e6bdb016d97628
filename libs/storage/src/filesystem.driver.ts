/**
 * A store in a local directory (the embedded default, and any shared volume).
 *
 * Durability and atomicity come from the usual POSIX recipe: write a temporary file in the
 * target's own directory (same filesystem, so the rename cannot become a copy), fsync it,
 * rename it over the key, fsync the directory. Readers therefore see a whole object or none.
 * Temporary files start with `.`, which no key segment does (see paths.ts), so `list`
 * skips them and a crash leaves at worst a hidden leftover, never a torn object; the
 * leftovers are removed by `sweepInterruptedWrites` once nothing has written them for a while.
 * A key's file is never written again once renamed into place, only replaced or removed, so
 * a copy from another store on this filesystem may be a second name for the same file
 * (`copyFrom` with `mayLink`).
 *
 * An upload session is one file, `_uploads/<uuid>/data`, written in place at `state.size`
 * after truncating to it: whatever a failed chunk left past that offset is discarded, so a
 * chunk either lands completely or, from the caller's point of view, not at all.
 *
 * Files are created 0640 and directories 0750 (explicit modes, narrowed further by a
 * stricter umask): registry content, pushed private images included, is for the registry's
 * user and its group (a backup agent, say), never for every account on the host.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import {
  type FileHandle,
  copyFile,
  link,
  mkdir,
  open,
  opendir,
  rename,
  rm,
  rmdir,
  stat,
} from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { uploadPrefix } from './paths';
import {
  type ByteRange,
  type CopyOptions,
  type StorageDriver,
  StorageNotFoundError,
  refuseWrongSize,
  type UploadState,
} from './storage-driver';
import { ownBody } from './own-body';
import { verifiedCopy, verifyFileDigest } from './verify-digest';

/** Large buffers: fewer syscalls per blob; blobs are usually megabytes to gigabytes. */
const ioChunkBytes = 1024 * 1024;
/**
 * Reads hand each buffer to a socket that takes 64 KiB or so at a time; a new 1 MiB buffer
 * per read made pulls spend their time in garbage collection, 256 KiB keeps syscalls few
 * without that.
 */
const readChunkBytes = 256 * 1024;
/** Opens an upload's data file for writing, creating it on the first append (see startUpload). */
const createForWrite = constants.O_RDWR | constants.O_CREAT;
/** Owner reads and writes, the group reads, others nothing (see the top of the file). */
const fileMode = 0o640;
const directoryMode = 0o750;
/** A reflink where the filesystem can, else an in-kernel copy; never onto an existing file. */
const cloneOrCopyInKernel = constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL;
/** The temporary file of a `put`: `.<uuid>.tmp` in the key's directory. */
const temporaryFileName = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

export interface FilesystemStorageDriverOptions {
  rootDirectory: string;
}

export class FilesystemStorageDriver implements StorageDriver {
  readonly kind = 'filesystem' as const;
  readonly rootDirectory: string;

  constructor(options: FilesystemStorageDriverOptions) {
    this.rootDirectory = options.rootDirectory;
  }

  async init(): Promise<void> {
    await mkdir(this.rootDirectory, { recursive: true, mode: directoryMode });
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const stats = await stat(this.pathOf(key)).catch(ignoreMissing);
    return stats?.isFile() ? { size: stats.size } : undefined;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Opening first turns a missing file into a rejection here rather than a stream error later.
    const file = await open(this.pathOf(key), 'r').catch((error: unknown) => {
      throw isMissing(error) ? new StorageNotFoundError(key) : error;
    });
    return file.createReadStream({
      start: range?.start,
      end: range?.end,
      highWaterMark: readChunkBytes,
    });
  }

  async put(key: string, body: Readable | Buffer, size?: number): Promise<void> {
    ownBody(body);
    await this.writeThenRename(key, async (temporary) => {
      const file = await open(temporary, 'wx', fileMode);
      try {
        const written = await writeAt(file, 0, body);
        if (size !== undefined && written !== size) {
          throw new Error(`put of ${key} received ${written} bytes, expected ${size}`);
        }
        await file.sync();
      } finally {
        await file.close();
      }
    });
  }

  /**
   * Makes `key`'s file appear whole or not at all: `write` fills a hidden temporary file
   * beside it (see temporaryFileName) and syncs it; it is then renamed onto the key and the
   * directory synced. A failed write leaves nothing, not even the temporary file.
   */
  private async writeThenRename(
    key: string,
    write: (temporary: string) => Promise<void>,
  ): Promise<void> {
    const target = this.pathOf(key);
    const directory = dirname(target);
    await mkdir(directory, { recursive: true, mode: directoryMode });
    const temporary = join(directory, `.${randomUUID()}.tmp`);
    try {
      await write(temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(directory);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    // Walk only the deepest directory the prefix names; the rest of the prefix filters names.
    const directoryPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const start = directoryPart === '' ? this.rootDirectory : this.pathOf(directoryPart);
    for await (const key of walk(start, directoryPart)) {
      if (key.startsWith(prefix)) yield key;
    }
  }

  async presignGet(): Promise<string | undefined> {
    return undefined;
  }

  async copyFrom(
    source: StorageDriver,
    sourceKey: string,
    key: string,
    options: CopyOptions = {},
  ): Promise<void> {
    const found = await source.stat(sourceKey);
    if (!found) throw new StorageNotFoundError(sourceKey);
    refuseWrongSize(sourceKey, found.size, options.size);
    if (source instanceof FilesystemStorageDriver) {
      const sourcePath = source.pathOf(sourceKey);
      if (options.mayLink && !options.expected) {
        if (await this.linkTo(sourcePath, sourceKey, key)) {
          options.onBytes?.(found.size);
          return;
        }
      }
      await this.copyInKernel(sourcePath, sourceKey, key, found.size, options);
      return;
    }
    await this.put(key, verifiedCopy(await source.read(sourceKey), options), found.size);
  }

  /**
   * Only the session's directory: the data file is created by the first append (or by the
   * complete of an empty blob), a small push's first round trip saves the create. The
   * directory is what tells a live session from an aborted one: appending to an aborted
   * upload finds no directory and fails, rather than creating bytes nobody will remove.
   */
  async startUpload(uploadId: string): Promise<UploadState> {
    const directory = dirname(this.uploadDataPath(uploadId));
    await mkdir(directory, directoryMode).catch(async (error: unknown) => {
      // only the very first upload of a store finds `_uploads` missing
      if (!isMissing(error)) throw error;
      await mkdir(directory, { recursive: true, mode: directoryMode });
    });
    return { size: 0, driver: {} };
  }

  async appendUpload(
    uploadId: string,
    state: UploadState,
    body: Readable,
    size?: number,
  ): Promise<UploadState> {
    ownBody(body);
    const file = await this.openUpload(uploadId, state.size === 0 ? createForWrite : 'r+');
    try {
      await trimTo(file, state.size, uploadId);
      try {
        const written = await writeAt(file, state.size, body);
        if (size !== undefined && written !== size) {
          throw new Error(`chunk of upload ${uploadId} had ${written} bytes, expected ${size}`);
        }
        await file.sync();
        return { size: state.size + written, driver: {} };
      } catch (error) {
        // Not needed for correctness (the next append truncates too), but keeps the file's
        // length equal to the session's size for anyone looking at it.
        await file.truncate(state.size).catch(() => undefined);
        throw error;
      }
    } finally {
      await file.close();
    }
  }

  async readUpload(uploadId: string, state: UploadState): Promise<Readable> {
    if (state.size === 0) {
      // no append yet, so maybe no data file: the session's directory says whether it exists
      const directory = dirname(this.uploadDataPath(uploadId));
      const found = await stat(directory).catch(ignoreMissing);
      if (!found) throw new StorageNotFoundError(`${uploadPrefix(uploadId)}data`);
      return Readable.from([]);
    }
    const file = await this.openUpload(uploadId, 'r');
    return file.createReadStream({ start: 0, end: state.size - 1, highWaterMark: ioChunkBytes });
  }

  /**
   * Renames the data file onto the key without asking first whether the key exists: when it
   * does, it holds the same bytes (the key is their digest), so replacing it changes nothing
   * a reader can see, and the common case saves a round trip to the filesystem.
   */
  async completeUpload(uploadId: string, state: UploadState, key: string): Promise<void> {
    const target = this.pathOf(key);
    const data = this.uploadDataPath(uploadId);
    await this.trimUpload(uploadId, state);
    await rename(data, target).catch(async (error: unknown) => {
      // the key's two-hex directory is made by the first blob that falls into it
      if (!isMissing(error)) throw error;
      await mkdir(dirname(target), { recursive: true, mode: directoryMode });
      await rename(data, target);
    });
    await syncDirectory(dirname(target));
    await this.abortUpload(uploadId);
  }

  async abortUpload(uploadId: string): Promise<void> {
    const directory = this.pathOf(uploadPrefix(uploadId));
    // After a complete the directory is empty: one rmdir; anything else takes the long way.
    await rmdir(directory).catch(async () => {
      await rm(directory, { recursive: true, force: true });
    });
  }

  /** Temporary files of a `put` anywhere in the store, by their last write (mtime). */
  async sweepInterruptedWrites(olderThan: Date): Promise<number> {
    let removed = 0;
    for await (const path of temporaryFiles(this.rootDirectory)) {
      const found = await stat(path).catch(ignoreMissing);
      if (found === undefined || found.mtimeMs >= olderThan.getTime()) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  /**
   * Names the source's file at `key` too (a hard link), so a copy on the same filesystem
   * writes no byte: false when it cannot (another filesystem, links not allowed there, or
   * `key` taken, which a copy replaces), and the caller copies instead. Atomic like a rename:
   * `key` appears with every byte or not at all. The bytes were fsynced by the source's put;
   * the new name is made durable by syncing its directory.
   */
  private async linkTo(sourcePath: string, sourceKey: string, key: string): Promise<boolean> {
    const target = this.pathOf(key);
    const directory = dirname(target);
    await mkdir(directory, { recursive: true, mode: directoryMode });
    try {
      await link(sourcePath, target);
    } catch (error) {
      if (isMissing(error)) throw new StorageNotFoundError(sourceKey);
      if (cannotLink(error)) return false;
      throw error;
    }
    await syncDirectory(directory);
    return true;
  }

  /**
   * A copy from another directory on this machine never passes through this process:
   * `copyFile` with COPYFILE_FICLONE makes a reflink where the filesystem can (btrfs, xfs:
   * a new inode sharing extents copy-on-write) and otherwise copies in the kernel
   * (copy_file_range, sendfile). A file of its own (unlike `linkTo`), so a write into one
   * store's file cannot reach the other's: what a repair needs. The copy is a
   * `put`'s hidden temporary file until it is proven (hashed, one read, when a digest is
   * expected; its size always), fsynced and renamed onto the key, so it is verified before
   * visible, durable before acknowledged, and swept like a put's if interrupted.
   */
  private async copyInKernel(
    sourcePath: string,
    sourceKey: string,
    key: string,
    size: number,
    { expected, onBytes }: CopyOptions,
  ): Promise<void> {
    await this.writeThenRename(key, async (temporary) => {
      await copyFile(sourcePath, temporary, cloneOrCopyInKernel).catch((error: unknown) => {
        throw isMissing(error) ? new StorageNotFoundError(sourceKey) : error;
      });
      const file = await open(temporary, 'r+');
      try {
        // copyFile gives the copy its source's mode
        await file.chmod(fileMode);
        if (expected) await verifyFileDigest(file, expected, onBytes);
        const copied = (await file.stat()).size;
        if (copied !== size)
          throw new Error(`copy of ${sourceKey} holds ${copied} bytes, expected ${size}`);
        if (!expected) onBytes?.(copied);
        await file.sync();
      } finally {
        await file.close();
      }
    });
  }

  /**
   * Drops bytes a failed chunk may have left past `state.size`, and makes sure an empty
   * upload (never appended to) has its file.
   */
  private async trimUpload(uploadId: string, state: UploadState): Promise<void> {
    const data = this.uploadDataPath(uploadId);
    const found = await stat(data).catch(ignoreMissing);
    if (found && found.size === state.size) return;
    if (found && found.size < state.size) {
      // bytes the caller believes durable are gone: never pad with zeros
      throw new Error(`upload ${uploadId} holds ${found.size} bytes, its state says ${state.size}`);
    }
    if (!found && state.size !== 0) throw new StorageNotFoundError(`${uploadPrefix(uploadId)}data`);
    const file = await this.openUpload(uploadId, createForWrite);
    try {
      await trimTo(file, state.size, uploadId);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  private async openUpload(uploadId: string, flags: 'r' | 'r+' | number): Promise<FileHandle> {
    const data = this.uploadDataPath(uploadId);
    return open(data, flags, fileMode).catch((error: unknown) => {
      throw isMissing(error) ? new StorageNotFoundError(`${uploadPrefix(uploadId)}data`) : error;
    });
  }

  private uploadDataPath(uploadId: string): string {
    return this.pathOf(`${uploadPrefix(uploadId)}data`);
  }

  /** The file behind a key; refuses any key that could name something outside the root. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    const trailingSlash = segments.at(-1) === '';
    const named = trailingSlash ? segments.slice(0, -1) : segments;
    const unsafe =
      key.length === 0 ||
      key.includes('\\') ||
      key.includes('\0') ||
      isAbsolute(key) ||
      // `.` and `..` could escape the root; any dot-led name could hit a temporary file.
      named.some((segment) => segment === '' || segment.startsWith('.'));
    const path = join(this.rootDirectory, ...named);
    if (unsafe || relative(this.rootDirectory, path).startsWith('..')) {
      throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
    }
    return path;
  }
}

/** Cuts `file` back to `size`; true when there was something to cut. */
async function trimTo(file: FileHandle, size: number, uploadId: string): Promise<boolean> {
  const actual = (await file.stat()).size;
  // Shorter than the state says means bytes the caller believes durable are gone: never pad with zeros.
  if (actual < size)
    throw new Error(`upload ${uploadId} holds ${actual} bytes, its state says ${size}`);
  if (actual === size) return false;
  await file.truncate(size);
  return true;
}

/**
 * Streams `body` into `file` from `position` on; resolves with the number of bytes written.
 * Chunks are gathered into writes of about `ioChunkBytes` (one writev each): request bodies
 * arrive in pieces of a few KiB, and a syscall per piece would dominate.
 */
async function writeAt(
  file: FileHandle,
  position: number,
  body: Readable | Buffer,
): Promise<number> {
  if (Buffer.isBuffer(body)) {
    await writevAll(file, [body], position);
    return body.length;
  }
  let written = 0;
  let batch: Buffer[] = [];
  let batchSize = 0;
  const flush = async () => {
    await writevAll(file, batch, position + written);
    written += batchSize;
    batch = [];
    batchSize = 0;
  };
  for await (const chunk of body) {
    batch.push(chunk as Buffer);
    batchSize += (chunk as Buffer).length;
    if (batchSize >= ioChunkBytes) await flush();
  }
  if (batchSize > 0) await flush();
  return written;
}

/** writev may write less than asked (large batches, signals): go on until all is written. */
async function writevAll(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers;
  let at = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await file.writev(remaining, at);
    at += bytesWritten;
    let skip = bytesWritten;
    while (remaining.length > 0 && skip >= remaining[0]!.length) {
      skip -= remaining[0]!.length;
      remaining = remaining.slice(1);
    }
    if (skip > 0) remaining = [remaining[0]!.subarray(skip), ...remaining.slice(1)];
  }
}

async function* walk(directory: string, keyPrefix: string): AsyncGenerator<string> {
  const entries = await opendir(directory, { bufferSize: 256 }).catch(ignoreMissing);
  if (!entries) return;
  for await (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const key = `${keyPrefix}${entry.name}`;
    if (entry.isDirectory()) yield* walk(join(directory, entry.name), `${key}/`);
    else if (entry.isFile()) yield key;
  }
}

async function* temporaryFiles(directory: string): AsyncGenerator<string> {
  const entries = await opendir(directory, { bufferSize: 256 }).catch(ignoreMissing);
  if (!entries) return;
  for await (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) yield* temporaryFiles(path);
    else if (entry.isFile() && temporaryFileName.test(entry.name)) yield path;
  }
}

/** Makes a rename in `directory` durable (a file's fsync does not cover its directory entry). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Errors of `link` that mean "copy instead": the stores are on different filesystems
 * (EXDEV), the filesystem or its policy refuses links (EPERM, e.g. protected_hardlinks for
 * a file another user owns; ENOTSUP), the source has too many names (EMLINK), or the key
 * is taken (EEXIST: a copy replaces it, as a put would).
 */
function cannotLink(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return ['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EEXIST'].includes(code ?? '');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ignoreMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}
