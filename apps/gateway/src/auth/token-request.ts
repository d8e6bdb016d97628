/**
 * Reads a token request as the Docker token protocol sends it, into the auth service's
 * `token` RPC request:
 * - `GET /oauth2/token?service=&scope=&offline_token=` with Basic credentials (or none:
 *   anonymous), what `docker login`, podman and skopeo send;
 * - `POST /oauth2/token`, form encoded: `grant_type=password` (`username`, `password`) or
 *   `grant_type=refresh_token` (`refresh_token`), with `scope` and `access_type=offline`
 *   (OAuth2, what docker and containerd send with a stored refresh token).
 * `scope` may repeat and each value may hold several scopes separated by spaces.
 *
 * As in ACR, a password given for the user `00000000-0000-0000-0000-000000000000` is a
 * refresh token (`docker login -u 00000000-… -p "$(meridian login … --expose-token)"`): it
 * is asked for with the refresh token grant, never checked as an account's password.
 */
import { RegistryError, type RpcRequest, type authRpc } from '@meridian/contracts';
import { isStorableText } from '@meridian/oci';
import type { Credentials } from './read-credentials';
import { splitScopes } from './access-scope';

export type TokenRequest = RpcRequest<typeof authRpc.token>;

/** ACR's user name for a refresh token given as a password. */
export const refreshTokenUser = '00000000-0000-0000-0000-000000000000';

function passwordCredentials(username: string, password: string): TokenRequest['credentials'] {
  return username === refreshTokenUser
    ? { grant: 'refresh_token', refreshToken: password }
    : { grant: 'password', username, password };
}

export function tokenRequestFromQuery(
  query: URLSearchParams,
  credentials: Credentials | undefined,
  service: string,
): TokenRequest {
  return {
    ...(credentials?.scheme === 'basic'
      ? { credentials: passwordCredentials(credentials.username, credentials.password) }
      : {}),
    service,
    scopes: splitScopes(query.getAll('scope')),
    offline: query.get('offline_token') === 'true',
  };
}

export function tokenRequestFromForm(form: URLSearchParams, service: string): TokenRequest {
  const scopes = splitScopes(form.getAll('scope'));
  const offline = form.get('access_type') === 'offline';
  const grant = form.get('grant_type');
  if (grant === 'password') {
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === null) {
      throw new RegistryError('UNAUTHORIZED', 'the password grant needs username and password');
    }
    // refused before the auth service sees it: no account can have such a name
    if (!isStorableText(username) || !isStorableText(password)) {
      throw new RegistryError('UNAUTHORIZED', 'the credentials hold NUL or unpaired surrogates');
    }
    return { credentials: passwordCredentials(username, password), service, scopes, offline };
  }
  if (grant === 'refresh_token') {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) {
      throw new RegistryError('UNAUTHORIZED', 'the refresh_token grant needs a refresh_token');
    }
    return { credentials: { grant, refreshToken }, service, scopes, offline };
  }
  throw new RegistryError('UNSUPPORTED', 'grant_type must be password or refresh_token', {
    grantType: grant,
  });
}
