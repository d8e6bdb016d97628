/**
 * Reads an image's layers in order, each as one stream (decompress → tar entries), and merges
 * them into an ImageFilesystem. Never holds more of a layer than one decoded chunk plus the
 * wanted files; errors per layer and per file are collected, never thrown, and no entry is
 * ever written anywhere: hostile names (`..`, absolute paths) are refused before use.
 */
import { type ScanError } from '../scan-error';
import { decompressLayer } from './decompress-layer';
import {
  type ImageFilesystem,
  type LayerSource,
  type ReadImageFilesystemOptions,
  type WantedPath,
} from './image-filesystem';
import { ImageTree, LayerChanges } from './image-tree';
import { type TarEntryHeader, TarReader, type TarVisitor } from './tar-reader';

const defaultMaxFileBytes = 64 * 1024 * 1024;
const defaultMaxSymlinkHops = 40;
const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

export async function readImageFilesystem(
  layers: AsyncIterable<LayerSource> | Iterable<LayerSource>,
  want: WantedPath,
  options: ReadImageFilesystemOptions = {},
): Promise<ImageFilesystem> {
  const limits = {
    maxFileBytes: options.maxFileBytes ?? defaultMaxFileBytes,
    maxSymlinkHops: options.maxSymlinkHops ?? defaultMaxSymlinkHops,
  };
  const tree = new ImageTree();
  const errors: ScanError[] = [];
  const stats = { layers: 0, entries: 0, compressedBytes: 0, tarBytes: 0 };
  for await (const layer of layers) {
    stats.layers += 1;
    const changes = new LayerChanges();
    const collector = new LayerCollector(
      layer.digest,
      changes,
      tree,
      want,
      limits.maxFileBytes,
      errors,
    );
    try {
      const reader = new TarReader(collector);
      const raw = await layer.open();
      for await (const chunk of decompressLayer(raw, (count) => (stats.compressedBytes += count))) {
        stats.tarBytes += chunk.length;
        reader.write(chunk);
      }
      reader.end();
    } catch (error) {
      errors.push({ scope: 'layer', subject: layer.digest, message: layerErrorMessage(error) });
    }
    stats.entries += collector.entryCount;
    // what was read before a failure still describes the image better than nothing
    tree.apply(changes);
  }
  return { files: wantedFiles(tree, want, limits.maxSymlinkHops, errors), errors, stats };
}

/** zlib's messages name the symptom; the report should name the layer's fault. */
function layerErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const zlibCode = (error as { code?: unknown }).code;
  if (typeof zlibCode !== 'string' || !zlibCode.startsWith('Z_')) return message;
  if (zlibCode === 'Z_BUF_ERROR') return 'truncated layer: the gzip stream ends early';
  return `not a valid gzip stream: ${message}`;
}

/** Receives one layer's tar entries and records what the image tree needs from them. */
class LayerCollector implements TarVisitor {
  entryCount = 0;
  private current?: { path: string; content: Buffer; filled: number };

  constructor(
    private readonly layer: string,
    private readonly changes: LayerChanges,
    private readonly lower: ImageTree,
    private readonly want: WantedPath,
    private readonly maxFileBytes: number,
    private readonly errors: ScanError[],
  ) {}

  entry(header: TarEntryHeader): boolean {
    this.entryCount += 1;
    const path = this.safePath(header.name);
    if (path === undefined || path === '') return false;
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    const directory = slash === -1 ? '' : path.slice(0, slash);
    if (base === opaqueMarker) {
      this.changes.opaqueDirectories.push(directory);
      return false;
    }
    if (base.startsWith(whiteoutPrefix)) {
      const hidden = base.slice(whiteoutPrefix.length);
      this.changes.whiteouts.push(directory ? `${directory}/${hidden}` : hidden);
      return false;
    }
    return this.record(path, header);
  }

  data(chunk: Buffer): void {
    const current = this.current!;
    chunk.copy(current.content, current.filled);
    current.filled += chunk.length;
  }

  entryEnd(): void {
    const current = this.current;
    if (current) {
      this.changes.nonDirectories.add(current.path);
      this.changes.entries.set(current.path, { kind: 'file', content: current.content });
    }
    this.current = undefined;
  }

  private record(path: string, header: TarEntryHeader): boolean {
    if (header.type === 'directory') {
      this.changes.directories.add(path);
      return false;
    }
    if (header.type === 'file' && this.startFile(path, header.size)) return true;
    // a wanted file replaces what is below only once it was read whole (see entryEnd)
    this.changes.nonDirectories.add(path);
    this.changes.entries.delete(path);
    switch (header.type) {
      case 'symlink':
        this.changes.entries.set(path, { kind: 'symlink', target: header.linkName });
        return false;
      case 'hardlink':
        this.recordHardLink(path, header.linkName);
        return false;
      case 'file':
      case 'other':
        return false;
    }
  }

  private startFile(path: string, size: number): boolean {
    if (!this.want(path)) return false;
    if (size > this.maxFileBytes) {
      this.fileError(
        path,
        `file of ${size} bytes exceeds the ${this.maxFileBytes}-byte limit; skipped`,
      );
      return false;
    }
    this.current = { path, content: Buffer.allocUnsafe(size), filled: 0 };
    return true;
  }

  /** A hard link names an earlier entry of the archive; its bytes are kept only if that one was. */
  private recordHardLink(path: string, linkName: string): void {
    if (!this.want(path)) return;
    const source = this.safePath(linkName);
    if (source === undefined) return;
    const node = this.changes.entries.get(source) ?? this.lower.get(source);
    if (node?.kind === 'file') this.changes.entries.set(path, node);
    else this.fileError(path, `hard link to ${source}, which was not read`);
  }

  /** The entry name as a path relative to the image root, or undefined when it must be refused. */
  private safePath(name: string): string | undefined {
    if (name.startsWith('/')) {
      this.fileError(name, 'absolute path in layer; entry refused');
      return undefined;
    }
    const parts = name.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) {
      this.fileError(name, "path with '..' in layer; entry refused");
      return undefined;
    }
    return parts.join('/');
  }

  private fileError(subject: string, message: string): void {
    this.errors.push({ scope: 'file', subject, message, layer: this.layer });
  }
}

/** The wanted files of the merged image; a wanted symlink is served with its target's bytes. */
function wantedFiles(
  tree: ImageTree,
  want: WantedPath,
  maxHops: number,
  errors: ScanError[],
): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [path, node] of tree.entries()) {
    if (node.kind === 'file') {
      files.set(path, node.content);
      continue;
    }
    if (!want(path)) continue;
    const resolution = tree.resolve(path, maxHops);
    if (resolution.found) {
      const target = tree.get(resolution.path);
      if (target?.kind === 'file') files.set(path, target.content);
    } else if (resolution.loop) {
      errors.push({
        scope: 'file',
        subject: path,
        message: `symlink loop (more than ${maxHops} hops)`,
      });
    }
  }
  return files;
}
