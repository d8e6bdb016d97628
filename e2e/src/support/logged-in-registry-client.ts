/**
 * The fixtures' RegistryClient, logged in the way docker clients are: a request answered
 * 401 with a `Bearer` challenge is repeated with a token from the challenge's realm,
 * fetched with Basic credentials for the scope asked for. Against a registry without
 * authentication nothing changes.
 */
import { RegistryClient, RegistryRequestError } from '@meridian/testing';

export class LoggedInRegistryClient extends RegistryClient {
  private readonly tokens = new Map<string, string>();

  constructor(
    baseUrl: string,
    private readonly credentials: { username: string; password: string },
  ) {
    super(baseUrl);
  }

  override async expect(
    method: string,
    pathOrUrl: string,
    statuses: readonly number[],
    init: { body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = this.url(pathOrUrl);
    const send = (token?: string) =>
      fetch(url, {
        method,
        headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: init.body,
        signal: AbortSignal.timeout(60_000),
      });
    let response = await send(this.tokens.get(scopeKey(url)));
    const challenge = response.headers.get('www-authenticate');
    if (response.status === 401 && challenge?.startsWith('Bearer ')) {
      await response.arrayBuffer();
      const token = await this.token(challenge);
      this.tokens.set(scopeKey(url), token);
      response = await send(token);
    }
    if (!statuses.includes(response.status)) {
      throw new RegistryRequestError(
        `${method} ${url}`,
        statuses.join(' or '),
        response.status,
        await response.text(),
      );
    }
    return response;
  }

  /** Basic credentials as the management API takes them. */
  get basicAuthorization(): string {
    const { username, password } = this.credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async token(challenge: string): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
    );
    const realm = new URL(params['realm'] ?? '/oauth2/token', this.baseUrl);
    if (params['service']) realm.searchParams.set('service', params['service']);
    if (params['scope']) realm.searchParams.set('scope', params['scope']);
    const response = await fetch(realm, { headers: { authorization: this.basicAuthorization } });
    if (response.status !== 200)
      throw new RegistryRequestError(`GET ${realm}`, '200', response.status, await response.text());
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`the token endpoint ${realm} answered without a token`);
    return token;
  }
}

/** Tokens are per repository: the path up to the API keyword is close enough. */
function scopeKey(url: string): string {
  const path = new URL(url).pathname;
  return path.replace(/\/(manifests|blobs|tags|referrers)\/.*$/, '');
}
