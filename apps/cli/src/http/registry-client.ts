/**
 * Every request the CLI makes to a registry, as `az acr` makes them: the stored credential
 * (a refresh token from `meridian login`, or a user name and password) is traded at the
 * registry's token endpoint for a short-lived access token scoped to what the request
 * needs, and sent as `Bearer`. The realm and service come from the challenge of `GET /v2/`;
 * the scope is the one the command expects, or the one the registry names in its 401
 * challenge (asked once more with that scope). Tokens are kept for the life of the process,
 * per scope. A registry with authentication off answers `/v2/` without a challenge and gets
 * no Authorization header.
 *
 * Failures become one CliError each: the registry's OCI error body (`{"errors":[{code,
 * message}]}`) gives the code and message; a registry that does not answer is UNREACHABLE
 * (exit 3); a refused refresh token says to log in again.
 */
import { CliError, exitStatus } from '../cli-error';
import type { StoredCredential } from '../credentials/credential-files';
import type { RegistryAddress } from './registry-address';
import { type Challenge, nextLink, parseChallenge } from './parse-challenge';

const requestTimeoutMs = 30_000;

export interface RequestOptions {
  method?: string;
  /** the token scope the route needs, e.g. `repository:app:metadata_read`; none: any valid token */
  scope?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
}

export interface RegistryResponse<T> {
  body: T;
  status: number;
  headers: Headers;
  url: string;
}

interface TokenEndpoint {
  realm: string;
  service: string;
}

export class RegistryClient {
  /** undefined: not asked yet; null: the registry needs no token */
  private endpoint: TokenEndpoint | null | undefined;
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    readonly registry: RegistryAddress,
    private readonly credential: StoredCredential | undefined,
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<RegistryResponse<T>> {
    return this.requestUrl<T>(this.url(path, options.query), options);
  }

  /** Every item of a paged listing, following `Link: <…>; rel="next"` until `limit` items. */
  async collect<T>(
    path: string,
    pick: (page: unknown) => readonly T[],
    options: RequestOptions & { limit?: number } = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = this.url(path, options.query);
    while (url !== undefined && (options.limit === undefined || items.length < options.limit)) {
      const page: RegistryResponse<unknown> = await this.requestUrl<unknown>(url, options);
      items.push(...pick(page.body));
      url = nextLink(page.headers.get('link'), page.url);
    }
    return options.limit === undefined ? items : items.slice(0, options.limit);
  }

  /** A refresh token for the user's password (`meridian login`); undefined: auth is off. */
  async login(username: string, password: string): Promise<string | undefined> {
    const endpoint = await this.tokenEndpoint();
    if (endpoint === null) return undefined;
    const answer = await this.postToken(endpoint, {
      grant_type: 'password',
      username,
      password,
      access_type: 'offline',
    });
    if (!answer.refresh_token) {
      throw new CliError(
        'UNSUPPORTED',
        `${this.registry.host} issued no refresh token for ${username}`,
      );
    }
    return answer.refresh_token;
  }

  private async requestUrl<T>(url: string, options: RequestOptions): Promise<RegistryResponse<T>> {
    let authorization = await this.authorization(options.scope);
    let response = await this.send(url, options, authorization);
    if (response.status === 401 && authorization !== undefined) {
      // the route wants another scope than we guessed: ask for the one it names, once
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      const scope = challenge?.scheme === 'bearer' ? challenge.params['scope'] : undefined;
      if (scope !== undefined && scope !== options.scope) {
        await response.body?.cancel();
        authorization = await this.authorization(scope);
        response = await this.send(url, options, authorization);
      }
    } else if (response.status === 401 && authorization === undefined && this.endpoint === null) {
      // authentication was turned on since `/v2/` answered: not worth a retry loop
      await response.body?.cancel();
      throw new CliError('UNAUTHORIZED', `${this.registry.host} asks for credentials`);
    }
    if (response.status === 401 && this.credential === undefined) {
      // the anonymous token did not do: say what to do rather than what the token lacks
      await response.body?.cancel();
      throw this.notLoggedIn();
    }
    if (!response.ok) throw await errorOf(response, this.registry);
    const text = await response.text();
    return {
      body: (text === '' ? undefined : JSON.parse(text)) as T,
      status: response.status,
      headers: response.headers,
      url,
    };
  }

  private url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(path, this.registry.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private async send(
    url: string,
    options: RequestOptions,
    authorization: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization) headers['authorization'] = authorization;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return this.fetch(url, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  }

  private async authorization(scope: string | undefined): Promise<string | undefined> {
    const endpoint = await this.tokenEndpoint();
    if (endpoint === null) return undefined;
    const key = scope ?? '';
    let token = this.tokens.get(key);
    if (!token) {
      token = this.accessToken(endpoint, scope);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await token}`;
  }

  private async accessToken(endpoint: TokenEndpoint, scope: string | undefined): Promise<string> {
    const credential = this.credential;
    if (credential === undefined) {
      // anonymous: what the registry lets anyone do (anonymous pull), else a clear refusal
      const url = new URL(endpoint.realm);
      url.searchParams.set('service', endpoint.service);
      if (scope) url.searchParams.set('scope', scope);
      const response = await this.fetch(url.toString(), {
        headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw this.notLoggedIn();
      }
      return tokenOf((await response.json()) as TokenAnswer, this.registry);
    }
    const form: Record<string, string> =
      credential.kind === 'refresh-token'
        ? { grant_type: 'refresh_token', refresh_token: credential.refreshToken }
        : { grant_type: 'password', username: credential.username, password: credential.password };
    if (scope) form['scope'] = scope;
    return tokenOf(await this.postToken(endpoint, form), this.registry);
  }

  private async postToken(
    endpoint: TokenEndpoint,
    form: Record<string, string>,
  ): Promise<TokenAnswer> {
    const response = await this.fetch(endpoint.realm, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ ...form, service: endpoint.service, client_id: 'meridian' }),
    });
    if (response.ok) return (await response.json()) as TokenAnswer;
    const error = await errorOf(response, this.registry);
    if (error.code === 'UNAUTHORIZED' && form['grant_type'] === 'refresh_token') {
      throw new CliError(
        error.code,
        `${error.message}; run \`meridian login ${this.registry.host}\` again`,
        error.exitCode,
      );
    }
    throw error;
  }

  private notLoggedIn(): CliError {
    return new CliError(
      'UNAUTHORIZED',
      `not logged in to ${this.registry.host}: run \`meridian login ${this.registry.host}\``,
    );
  }

  /** The token endpoint from `GET /v2/`'s challenge; null when the registry needs no token. */
  private async tokenEndpoint(): Promise<TokenEndpoint | null> {
    if (this.endpoint !== undefined) return this.endpoint;
    const response = await this.fetch(`${this.registry.baseUrl}/v2/`, {
      headers: { accept: 'application/json' },
    });
    await response.body?.cancel();
    if (response.ok) return (this.endpoint = null);
    const challenge: Challenge | undefined = parseChallenge(
      response.headers.get('www-authenticate'),
    );
    const realm = challenge?.scheme === 'bearer' ? challenge.params['realm'] : undefined;
    if (response.status !== 401 || !challenge || !realm) {
      throw new CliError(
        'NOT_A_REGISTRY',
        `${this.registry.baseUrl}/v2/ answered ${response.status} without a Bearer challenge`,
      );
    }
    return (this.endpoint = { realm, service: challenge.params['service'] ?? this.registry.host });
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
    } catch (error) {
      throw unreachable(this.registry, error);
    }
  }
}

interface TokenAnswer {
  token?: string;
  access_token?: string;
  refresh_token?: string;
}

function tokenOf(answer: TokenAnswer, registry: RegistryAddress): string {
  const token = answer.access_token ?? answer.token;
  if (!token) throw new CliError('UNSUPPORTED', `${registry.host}'s token endpoint sent no token`);
  return token;
}

/** The registry's OCI error body as a CliError; HTTP_<status> when there is none. */
export async function errorOf(response: Response, registry: RegistryAddress): Promise<CliError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = body.errors?.[0];
    if (first && typeof first.code === 'string') {
      return new CliError(
        first.code,
        typeof first.message === 'string' && first.message !== '' ? first.message : first.code,
      );
    }
  } catch {
    // not the OCI error body: described by the status below
  }
  return new CliError(
    `HTTP_${response.status}`,
    `${registry.host} answered ${response.status} ${response.statusText}`.trim(),
  );
}

function unreachable(registry: RegistryAddress, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason =
    (error as Error).name === 'TimeoutError'
      ? `no answer within ${requestTimeoutMs / 1000}s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new CliError(
    'UNREACHABLE',
    `cannot reach ${registry.baseUrl}: ${reason}`,
    exitStatus.unreachable,
  );
}
