/**
 * A user name must name one identity: the admin account's name is reserved, and a service
 * principal and a token never share a name (checked when either is created).
 */
import { RegistryError } from '@meridian/contracts';
import { adminUsername } from '../logins/credentials.service';
import type { AuthRecordsTransaction } from './auth-records.repository';

export async function assertLoginNameFree(
  tx: AuthRecordsTransaction,
  name: string,
  other: 'service-principal' | 'token',
): Promise<void> {
  if (name === adminUsername) {
    throw new RegistryError('REQUEST_INVALID', `the name ${adminUsername} is the admin account's`);
  }
  if (await tx.get(other, name)) {
    throw new RegistryError('REQUEST_INVALID', `a ${other.replace('-', ' ')} is named ${name}`, {
      name,
    });
  }
}

export function unknown(kind: string, name: string): RegistryError {
  return new RegistryError('RESOURCE_UNKNOWN', `${kind} ${name} not found`, { name });
}
