/**
 * Anti-entropy's progress per peer, as the status API and the metrics tell it: whether a pass
 * is running (a backfill at start, or the continuous low-rate one), how far the last one got,
 * and the repairs made since the service started, by kind. Kept in memory by the process that
 * runs the passes: it describes what this process did.
 */
import { Injectable } from '@nestjs/common';
import type { AntiEntropyStatus } from '@meridian/contracts';
import { type RepairKind, repairKinds } from './plan-repairs';

export type PassMode = 'backfill' | 'continuous';

interface PeerProgress {
  running: boolean;
  mode: PassMode;
  passStartedAt?: Date;
  lastPassAt?: Date;
  backfilledAt?: Date;
  compared: number;
  differing: number;
  repaired: number;
  ahead: number;
  repairs: Record<RepairKind, number>;
  lastError?: string;
}

@Injectable()
export class AntiEntropyProgress {
  private readonly peers = new Map<string, PeerProgress>();

  started(peer: string, mode: PassMode, at: Date): void {
    const progress = this.of(peer);
    Object.assign(progress, {
      running: true,
      mode,
      passStartedAt: at,
      compared: 0,
      differing: 0,
      repaired: 0,
      ahead: 0,
    });
    delete progress.lastError;
  }

  compared(peer: string, repositories: number, differing: number): void {
    const progress = this.of(peer);
    progress.compared += repositories;
    progress.differing += differing;
  }

  repaired(peer: string, kind: RepairKind): void {
    const progress = this.of(peer);
    progress.repaired += 1;
    progress.repairs[kind] += 1;
  }

  ahead(peer: string, writes: number): void {
    this.of(peer).ahead += writes;
  }

  finished(peer: string, at: Date, error?: string): void {
    const progress = this.of(peer);
    progress.running = false;
    if (error === undefined) {
      progress.lastPassAt = at;
      if (progress.mode === 'backfill') progress.backfilledAt ??= at;
    } else progress.lastError = error;
  }

  /** Whether a backfill pass with the peer completed. */
  backfilled(peer: string): boolean {
    return this.peers.get(peer)?.backfilledAt !== undefined;
  }

  /** Forgets a peer that left the set: if it comes back, it is backfilled again. */
  forget(peer: string): void {
    this.peers.delete(peer);
  }

  /** The peer's figures; undefined before its first pass started. */
  status(peer: string): AntiEntropyStatus | undefined {
    const progress = this.peers.get(peer);
    if (progress === undefined) return undefined;
    return {
      state: progress.running ? 'running' : 'idle',
      mode: progress.mode,
      ...(progress.passStartedAt ? { passStartedAt: progress.passStartedAt.toISOString() } : {}),
      ...(progress.lastPassAt ? { lastPassAt: progress.lastPassAt.toISOString() } : {}),
      ...(progress.backfilledAt ? { backfilledAt: progress.backfilledAt.toISOString() } : {}),
      repositoriesCompared: progress.compared,
      repositoriesDiffering: progress.differing,
      repaired: progress.repaired,
      aheadOfClock: progress.ahead,
      repairs: { ...progress.repairs },
      ...(progress.lastError === undefined ? {} : { lastError: progress.lastError }),
    };
  }

  private of(peer: string): PeerProgress {
    let progress = this.peers.get(peer);
    if (progress === undefined) {
      progress = {
        running: false,
        mode: 'continuous',
        compared: 0,
        differing: 0,
        repaired: 0,
        ahead: 0,
        repairs: Object.fromEntries(repairKinds.map((kind) => [kind, 0])) as Record<
          RepairKind,
          number
        >,
      };
      this.peers.set(peer, progress);
    }
    return progress;
  }
}
