/**
 * Checks a user name and password for the management API. The auth service does it
 * (`auth.authenticate`: argon2 hashes, the failed-login bound); the abstract class lets
 * the guard's tests answer with identities of their own.
 */
import { Injectable } from '@nestjs/common';
import { type Identity, authRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';

export interface PasswordLogin {
  username: string;
  password: string;
  clientAddr?: string;
}

export abstract class PasswordAuthenticator {
  /** the identity; throws UNAUTHORIZED (or TOOMANYREQUESTS) when it cannot log in */
  abstract authenticate(login: PasswordLogin, context: RpcContext): Promise<Identity>;
}

@Injectable()
export class RpcPasswordAuthenticator extends PasswordAuthenticator {
  constructor(private readonly rpc: RpcClient) {
    super();
  }

  authenticate(login: PasswordLogin, context: RpcContext): Promise<Identity> {
    return this.rpc.request(authRpc.authenticate, login, { context });
  }
}
