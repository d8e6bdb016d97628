/** The two passwords of the admin account and of a token: one per slot, each replaced alone. */
import type { PasswordInfo } from '@meridian/contracts';
import type { StoredPassword } from '../records/auth-records';

export function withPassword<T extends { passwords: StoredPassword[] }>(
  holder: T,
  password: StoredPassword,
): T {
  const others = holder.passwords.filter((stored) => stored.slot !== password.slot);
  return { ...holder, passwords: [...others, password].sort((a, b) => a.slot - b.slot) };
}

export function passwordInfo(stored: StoredPassword): PasswordInfo {
  return {
    slot: stored.slot,
    createdAt: stored.createdAt,
    ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}),
  };
}
