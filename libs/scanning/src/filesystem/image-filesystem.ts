/**
 * The shape of an image's merged filesystem as the scanner sees it: only the files a detector
 * asked for, with their contents, after every layer's whiteouts were applied in order.
 * Paths are relative to the image root, `/`-separated, without a leading slash
 * (`var/lib/dpkg/status`).
 */
import { type Readable } from 'node:stream';
import { type ScanError } from '../scan-error';

/** One layer of an image, opened lazily so layers are read one at a time, in order. */
export interface LayerSource {
  digest: string;
  mediaType: string;
  /** the layer blob as stored (gzip, zstd or plain tar; the reader sniffs the magic bytes) */
  open(): Promise<Readable>;
}

/** Which paths to keep the contents of (relative, no leading slash). */
export type WantedPath = (path: string) => boolean;

export interface ReadImageFilesystemOptions {
  /** a wanted file bigger than this is reported as an error and skipped (default 64 MiB) */
  maxFileBytes?: number;
  /** symlink hops allowed when resolving a wanted path (default 40, as Linux) */
  maxSymlinkHops?: number;
}

export interface ImageFilesystem {
  /** wanted files by path; a wanted symlink appears under its own path with its target's bytes */
  files: ReadonlyMap<string, Buffer>;
  errors: ScanError[];
  stats: { layers: number; entries: number; compressedBytes: number; tarBytes: number };
}
