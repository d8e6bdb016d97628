/**
 * The keys that sign access tokens. Each region signs with its own current key (ES256,
 * `kid` = the JWK thumbprint) and publishes the public half as a `signing-key` record, which
 * replicates, so a token signed in one region verifies in every region. Rotation makes a
 * new key current and retires the previous one: a retired key still verifies until the
 * last token it signed has expired (`expiresAt` = retirement + token lifetime + a minute),
 * then its record is deleted. Keys rotate when asked and, with
 * MERIDIAN_SIGNING_KEY_ROTATION_HOURS, once the current key is that old.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { PublicJwk, SigningKeyView } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  importJWK,
} from 'jose';
import { type AuthConfig, authConfigToken } from '../config';
import type { SigningKeyRecord } from '../records/auth-records';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { PrivateKeySealer, isSealed } from './private-key-sealer';
import { SigningSecretsRepository } from './signing-secrets.repository';

export const signingAlgorithm = 'ES256';

/** How long the key that signs is taken from memory before the database is asked again. */
const currentKeyCacheMs = 10_000;
const rotationCheckMs = 60_000;
const clockSkewSeconds = 60;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

@Injectable()
export class SigningKeysService implements OnApplicationBootstrap, OnApplicationShutdown {
  private cached?: { key: SigningKey; until: number };
  private rotationTimer?: NodeJS.Timeout;
  private readonly sealer: PrivateKeySealer;

  constructor(
    private readonly records: AuthRecordsRepository,
    private readonly secrets: SigningSecretsRepository,
    @Inject(authConfigToken) private readonly config: AuthConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.sealer = new PrivateKeySealer(config.signingKeySecret);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sealPlainKeys();
    await this.rotateIf((current) => current === undefined, {});
    // a key that cannot be opened stops the start here, not the first login
    await this.current();
    if (this.config.signingKeyRotationHours > 0) {
      this.rotationTimer = setInterval(() => void this.rotateWhenDue(), rotationCheckMs);
      this.rotationTimer.unref();
    }
  }

  /** Keys stored before MERIDIAN_SIGNING_KEY_SECRET was set are sealed once it is. */
  private async sealPlainKeys(): Promise<void> {
    if (!this.config.signingKeySecret) return;
    const plain = (await this.secrets.all()).filter((secret) => !isSealed(secret.privateKey));
    for (const secret of plain)
      await this.secrets.replace({
        kid: secret.kid,
        privateKey: this.sealer.seal(secret.privateKey as JWK),
      });
    if (plain.length > 0) this.logger.info({ keys: plain.length }, 'sealed plain signing keys');
  }

  onApplicationShutdown(): void {
    clearInterval(this.rotationTimer);
  }

  /** The key this region signs with now. */
  async current(): Promise<SigningKey> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.key;
    const secret = await this.secrets.current(this.config.region);
    if (!secret) throw new Error(`region ${this.config.region} has no signing key`);
    const privateJwk = this.sealer.open(secret.privateKey);
    const privateKey = (await importJWK(privateJwk, signingAlgorithm)) as CryptoKey;
    const key = { kid: secret.kid, privateKey };
    this.cached = { key, until: Date.now() + currentKeyCacheMs };
    return key;
  }

  /** Every region's keys that verify live tokens. */
  async publicKeys(): Promise<PublicJwk[]> {
    const records = await this.records.list('signing-key');
    return records.filter((record) => verifiesNow(record)).map((record) => record.publicJwk);
  }

  async list(): Promise<SigningKeyView[]> {
    const records = await this.records.list('signing-key');
    return records.filter((record) => verifiesNow(record)).map(viewOf);
  }

  /** Makes a new key current; the previous one verifies until its tokens have expired. */
  async rotate(origin: EventOrigin): Promise<SigningKeyView> {
    const rotated = await this.rotateIf(() => true, origin);
    return viewOf(rotated!);
  }

  private async rotateWhenDue(): Promise<void> {
    const maxAgeMs = this.config.signingKeyRotationHours * 3_600_000;
    try {
      await this.rotateIf(
        (current) => !current || Date.parse(current.createdAt) + maxAgeMs <= Date.now(),
        {},
      );
    } catch (err) {
      this.logger.warn({ err }, 'failed to rotate the signing key');
    }
  }

  /**
   * Under the region's rotation lock: when `due` says so of the current key, creates a new
   * one, retires the others of the region and deletes those whose tokens have all expired.
   * The new key is made, and its private half saved on its own commit, before the transaction
   * (a transaction never waits on the pool for a second connection); `due` is asked again
   * under the lock, and a key another replica's rotation made unneeded is removed.
   */
  private async rotateIf(
    due: (current: SigningKeyRecord | undefined) => boolean,
    origin: EventOrigin,
  ): Promise<SigningKeyRecord | undefined> {
    const region = this.config.region;
    if (!due(currentOf(ownKeys(await this.records.list('signing-key'), region)))) return undefined;
    const now = new Date();
    const created = await this.createKey(now);
    const { record, expired } = await this.records.transaction(async (tx) => {
      // the lock record is never written: it serialises rotations of the region's replicas
      await tx.stamp('signing-key', `rotation:${region}`);
      const own = ownKeys(await tx.list('signing-key'), region);
      if (!due(currentOf(own))) return { record: undefined, expired: [] };
      await tx.write('signing-key', created.kid, created, origin);
      const expiresAt = new Date(
        now.getTime() + (this.config.accessTokenTtlSeconds + clockSkewSeconds) * 1000,
      ).toISOString();
      const gone: string[] = [];
      for (const key of own) {
        if (key.expiresAt && Date.parse(key.expiresAt) <= now.getTime()) {
          await tx.write('signing-key', key.kid, null, origin);
          gone.push(key.kid);
        } else if (!key.retiredAt) {
          await tx.write(
            'signing-key',
            key.kid,
            { ...key, retiredAt: now.toISOString(), expiresAt },
            origin,
          );
        }
      }
      return { record: created, expired: gone };
    });
    if (!record) {
      await this.secrets.remove([created.kid]);
      return undefined;
    }
    await this.secrets.remove(expired);
    this.cached = undefined;
    this.logger.info({ kid: record.kid, region }, 'signing key rotated');
    return record;
  }

  private async createKey(now: Date): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(signingAlgorithm, {
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid };
    await this.secrets.save({ kid, privateKey: this.sealer.seal(privateJwk) });
    return {
      kid,
      region: this.config.region,
      alg: signingAlgorithm,
      publicJwk: { ...publicJwk, kid, alg: signingAlgorithm, use: 'sig' } as PublicJwk,
      createdAt: now.toISOString(),
    };
  }
}

function verifiesNow(record: SigningKeyRecord): boolean {
  return record.expiresAt === undefined || Date.parse(record.expiresAt) > Date.now();
}

function viewOf(record: SigningKeyRecord): SigningKeyView {
  return {
    kid: record.kid,
    region: record.region,
    alg: record.alg,
    createdAt: record.createdAt,
    ...(record.retiredAt ? { retiredAt: record.retiredAt } : {}),
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
  };
}

/** The region's keys, oldest first. */
function ownKeys(keys: SigningKeyRecord[], region: string): SigningKeyRecord[] {
  return keys
    .filter((key) => key.region === region)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The newest key not retired: the one that signs. */
function currentOf(own: SigningKeyRecord[]): SigningKeyRecord | undefined {
  return own.filter((key) => !key.retiredAt).at(-1);
}
