/**
 * Lock changes made here (ACR's PATCH of changeable attributes) in SQL: each in one
 * transaction with its `lock.changed.v1` event, under the repository's lock, so it is stamped
 * after every write and lock change of the repository and no write slips in between its
 * reading and its commit.
 */
import { Injectable } from '@nestjs/common';
import type { ChangeableAttributes, EventDefinition, LockTarget } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';
import { lockRepository } from '../manifests/lock-repository';
import { newestWrite } from '../manifests/newest-write';
import { locksOf, recordLockChange } from './lock-rows';
import { type TakenBack, takeBackRefused } from './take-back';

export abstract class LocksRepository {
  /** Runs `work` in one transaction: the change and its event commit together, or neither. */
  abstract transaction<T>(work: (tx: LocksTransaction) => Promise<T>): Promise<T>;
}

export interface LocksTransaction {
  /** Waits until no other write to the repository is under way; held until commit. */
  lockRepository(repository: string): Promise<void>;
  /** The newest clock reading among the repository's rows, tombstones and lock changes. */
  newestWrite(repository: string): Promise<string | undefined>;
  /** Whether the repository exists, and whether the tag or manifest named does. */
  exists(repository: string, target: LockTarget): Promise<{ repository: boolean; target: boolean }>;
  /** The target's own attributes now. */
  attributesOf(repository: string, target: LockTarget): Promise<ChangeableAttributes>;
  /** Records a change of the target's attributes stamped `hlc`. */
  recordLockChange(
    repository: string,
    target: LockTarget,
    attributes: ChangeableAttributes,
    hlc: string,
  ): Promise<void>;
  /** Takes back the writes newer than the change that it refuses (take-back.ts). */
  takeBackRefused(repository: string, target: LockTarget, hlc: string): Promise<TakenBack[]>;
  /** Records an event, published after commit. */
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

@Injectable()
export class SqlLocksRepository implements LocksRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  transaction<T>(work: (tx: LocksTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) => work(new SqlLocksTransaction(tx, this.outbox))) as Promise<T>;
  }
}

class SqlLocksTransaction implements LocksTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  lockRepository(repository: string): Promise<void> {
    return lockRepository(this.tx, repository);
  }

  newestWrite(repository: string): Promise<string | undefined> {
    return newestWrite(this.tx, repository, { kind: 'repository' });
  }

  async exists(
    repository: string,
    target: LockTarget,
  ): Promise<{ repository: boolean; target: boolean }> {
    const tx = this.tx;
    const item =
      target.kind === 'tag'
        ? tx`exists (select 1 from manifest.tags where repository = ${repository} and name = ${target.tag})`
        : target.kind === 'manifest'
          ? tx`exists (select 1 from manifest.manifests
              where repository = ${repository} and digest = ${target.digest})`
          : tx`true`;
    const [row] = await tx<{ repository: boolean; target: boolean }[]>`
      select exists (select 1 from manifest.repositories where name = ${repository}) as repository,
        ${item} as target`;
    return row!;
  }

  async attributesOf(repository: string, target: LockTarget): Promise<ChangeableAttributes> {
    switch (target.kind) {
      case 'repository':
        return (await locksOf(this.tx, repository, {})).repository;
      case 'tag':
        return (await locksOf(this.tx, repository, { tag: target.tag })).tag!.attributes;
      case 'manifest':
        return (await locksOf(this.tx, repository, { digest: target.digest })).manifest!.attributes;
    }
  }

  async recordLockChange(
    repository: string,
    target: LockTarget,
    attributes: ChangeableAttributes,
    hlc: string,
  ): Promise<void> {
    await recordLockChange(this.tx, repository, target, attributes, hlc);
  }

  takeBackRefused(repository: string, target: LockTarget, hlc: string): Promise<TakenBack[]> {
    return takeBackRefused(this.tx, repository, target, hlc);
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}
