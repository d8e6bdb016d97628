/**
 * Blob bytes copied from each peer over the last minute, for `replication.regions`: how fast
 * this region is catching up with each peer right now. Kept in memory, in one-second
 * buckets; a restarted service starts from zero, which is the truth for "right now".
 */
const windowSeconds = 60;

export class CopyThroughput {
  /** peer → second (epoch) → bytes */
  private readonly buckets = new Map<string, Map<number, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  record(peer: string, bytes: number): void {
    const second = Math.floor(this.now() / 1000);
    const perSecond = this.buckets.get(peer) ?? new Map<number, number>();
    perSecond.set(second, (perSecond.get(second) ?? 0) + bytes);
    this.buckets.set(peer, perSecond);
    this.forgetBefore(perSecond, second - windowSeconds);
  }

  bytesPerSecond(peer: string): number {
    const perSecond = this.buckets.get(peer);
    if (!perSecond) return 0;
    const oldest = Math.floor(this.now() / 1000) - windowSeconds;
    this.forgetBefore(perSecond, oldest);
    let total = 0;
    for (const bytes of perSecond.values()) total += bytes;
    return total / windowSeconds;
  }

  private forgetBefore(perSecond: Map<number, number>, oldest: number): void {
    for (const second of perSecond.keys()) if (second <= oldest) perSecond.delete(second);
  }
}
