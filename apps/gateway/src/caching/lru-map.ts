/**
 * A map that forgets its least recently used entries once it holds more than `maxEntries`
 * entries or more than `maxWeight` in total (each entry weighs what `weigh` says: bytes of
 * a manifest body, 1 for a hash state). A Map keeps insertion order, so re-inserting an
 * entry on every hit makes the first key the least recently used one.
 */
export interface LruMapOptions<V> {
  maxEntries: number;
  maxWeight?: number;
  weigh?: (value: V) => number;
}

export class LruMap<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(private readonly options: LruMapOptions<V>) {}

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Removes the entry and returns its value: the caller now owns it. */
  take(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.delete(key);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.options.weigh?.(value) ?? 1;
    // an entry heavier than the whole budget would only evict everything else
    if (this.options.maxWeight !== undefined && weight > this.options.maxWeight) return;
    if (this.options.maxEntries <= 0) return;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    this.evict();
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
    return true;
  }

  private evict(): void {
    const { maxEntries, maxWeight = Infinity } = this.options;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= maxEntries && this.totalWeight <= maxWeight) return;
      this.entries.delete(key);
      this.totalWeight -= entry.weight;
    }
  }
}
