/**
 * Refresh tokens: 32 random bytes, handed out once, stored only as their sha256 (the record
 * id). A hash this fast is safe here because the token is random, not chosen by a person:
 * there is nothing to guess from a stolen hash; it also lets a token be found by its hash.
 * Revoking one deletes its record (a replicated tombstone), so it is refused in every region.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EventOrigin } from '@meridian/database';
import type { RefreshTokenRecord } from '../records/auth-records';
import type { AuthRecordsTransaction } from '../records/auth-records.repository';

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function refreshTokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Revokes the identity's refresh tokens: all of them, or those obtained with one password
 * (renewing a password revokes what it opened).
 */
export async function revokeRefreshTokens(
  tx: AuthRecordsTransaction,
  subjectKind: RefreshTokenRecord['subjectKind'],
  subject: string,
  origin: EventOrigin,
  slot?: number,
): Promise<void> {
  const tokens = await tx.refreshTokensOf(subjectKind, subject);
  for (const token of tokens) {
    if (slot !== undefined && token.slot !== slot) continue;
    await tx.write('refresh-token', token.id, null, origin);
  }
}
