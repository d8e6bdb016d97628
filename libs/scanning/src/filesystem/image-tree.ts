/**
 * The merged view of an image's layers that the scanner keeps: wanted files with their bytes
 * and every symlink (to resolve wanted paths through), nothing else. A layer is collected as
 * a LayerChanges and applied on top when it ends, because whiteouts in a layer hide only what
 * lower layers put there (image-spec layer.md, "Whiteouts").
 */

export type TreeNode = { kind: 'file'; content: Buffer } | { kind: 'symlink'; target: string };

export class LayerChanges {
  readonly entries = new Map<string, TreeNode>();
  /** paths a `.wh.<name>` removes */
  readonly whiteouts: string[] = [];
  /** directories a `.wh..wh..opq` empties ('' is the root) */
  readonly opaqueDirectories: string[] = [];
  /** every non-directory this layer wrote: it replaces what a lower layer had there or under it */
  readonly nonDirectories = new Set<string>();
  /** every directory this layer wrote: it replaces a lower file or symlink of that name */
  readonly directories = new Set<string>();
}

export type Resolution = { found: true; path: string } | { found: false; loop: boolean };

export class ImageTree {
  private readonly nodes = new Map<string, TreeNode>();

  get(path: string): TreeNode | undefined {
    return this.nodes.get(path);
  }

  apply(layer: LayerChanges): void {
    const removedTrees = new Set(layer.whiteouts);
    const emptied = new Set(layer.opaqueDirectories);
    for (const path of this.nodes.keys()) {
      const hidden =
        removedTrees.has(path) ||
        isUnderAny(path, removedTrees) ||
        isUnderAny(path, emptied) ||
        layer.directories.has(path) ||
        layer.nonDirectories.has(path) ||
        isUnderAny(path, layer.nonDirectories);
      if (hidden) this.nodes.delete(path);
    }
    for (const [path, node] of layer.entries) this.nodes.set(path, node);
  }

  *entries(): IterableIterator<[string, TreeNode]> {
    yield* this.nodes.entries();
  }

  /** Follows symlinks on every component of `path`, within the image root, at most `maxHops` times. */
  resolve(path: string, maxHops: number): Resolution {
    let pending = path.split('/');
    const resolved: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const component = pending.shift()!;
      if (component === '' || component === '.') continue;
      if (component === '..') {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, component].join('/');
      const node = this.nodes.get(candidate);
      if (node?.kind !== 'symlink') {
        resolved.push(component);
        continue;
      }
      hops += 1;
      if (hops > maxHops) return { found: false, loop: true };
      if (node.target.startsWith('/')) resolved.length = 0;
      pending = [...node.target.split('/'), ...pending];
    }
    const target = resolved.join('/');
    return this.nodes.get(target)?.kind === 'file'
      ? { found: true, path: target }
      : { found: false, loop: false };
  }
}

/** Whether any ancestor directory of `path` is in `directories` ('' stands for the root). */
function isUnderAny(path: string, directories: ReadonlySet<string>): boolean {
  if (directories.size === 0) return false;
  if (directories.has('')) return true;
  let slash = path.indexOf('/');
  while (slash !== -1) {
    if (directories.has(path.slice(0, slash))) return true;
    slash = path.indexOf('/', slash + 1);
  }
  return false;
}
