/**
 * This region's private signing keys (table `auth.signing_secrets`). They never leave the
 * region; their public halves travel as `signing-key` records. The key that signs is the
 * newest one whose record is live and not retired, so a key whose record never committed
 * (a crash between the two writes) is never used.
 */
import { Injectable } from '@nestjs/common';
import { InjectSql, type Sql } from '@meridian/database';
import type { StoredPrivateKey } from './private-key-sealer';

export interface SigningSecret {
  kid: string;
  /** as stored: sealed when MERIDIAN_SIGNING_KEY_SECRET is set */
  privateKey: StoredPrivateKey;
}

export abstract class SigningSecretsRepository {
  abstract save(secret: SigningSecret): Promise<void>;
  /** The region's signing key: the newest with a live, unretired record. */
  abstract current(region: string): Promise<SigningSecret | undefined>;
  abstract remove(kids: readonly string[]): Promise<void>;
  /** Every private key of the region, as stored. */
  abstract all(): Promise<SigningSecret[]>;
  /** Stores a key's private half in another form (sealed, once a secret is configured). */
  abstract replace(secret: SigningSecret): Promise<void>;
}

@Injectable()
export class SqlSigningSecretsRepository implements SigningSecretsRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async save({ kid, privateKey }: SigningSecret): Promise<void> {
    await this.sql`
      insert into auth.signing_secrets (kid, private_jwk)
      values (${kid}, ${this.sql.json(privateKey as never)})
      on conflict (kid) do nothing`;
  }

  async current(region: string): Promise<SigningSecret | undefined> {
    const [row] = await this.sql<SigningSecret[]>`
      select s.kid, s.private_jwk as "privateKey"
      from auth.signing_secrets s
      join auth.records r on r.kind = 'signing-key' and r.id = s.kid
      where r.record is not null
        and r.record ->> 'region' = ${region}
        and r.record ->> 'retiredAt' is null
      order by s.created_at desc
      limit 1`;
    return row;
  }

  async remove(kids: readonly string[]): Promise<void> {
    if (kids.length === 0) return;
    await this.sql`delete from auth.signing_secrets where kid = any(${kids as string[]}::text[])`;
  }

  async all(): Promise<SigningSecret[]> {
    return this.sql<SigningSecret[]>`
      select kid, private_jwk as "privateKey" from auth.signing_secrets order by created_at`;
  }

  async replace({ kid, privateKey }: SigningSecret): Promise<void> {
    await this.sql`
      update auth.signing_secrets set private_jwk = ${this.sql.json(privateKey as never)}
      where kid = ${kid}`;
  }
}
