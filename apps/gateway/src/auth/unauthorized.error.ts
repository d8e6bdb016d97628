/**
 * A 401 that says how to authenticate: the exception filter sends `challenge` as the
 * `WWW-Authenticate` header (a Bearer challenge with realm, service and scope on `/v2`,
 * Basic on the management API and the token endpoint).
 */
import { RegistryError } from '@meridian/contracts';

export class UnauthorizedError extends RegistryError {
  constructor(
    message: string,
    readonly challenge: string,
    detail?: unknown,
  ) {
    super('UNAUTHORIZED', message, detail);
  }
}
