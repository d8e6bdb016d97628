/**
 * The portal's only way to the registry: the public HTTP APIs of the gateway that served it
 * (same origin), as any other client calls them.
 *
 * Sign-in trades the user's registry credentials at the token endpoint (`POST /oauth2/token`,
 * the password grant, as `meridian login` does) for a refresh token; the password is dropped
 * at once. The refresh token lives in this object only, in the page's memory: nothing goes to
 * localStorage, sessionStorage or a cookie, so closing or reloading the tab signs out and no
 * other page of the origin can read it. Each request gets a short-lived access token for the
 * scope it needs (`repository:<name>:pull`, `registry:catalog:*`…), traded from the refresh
 * token and kept until shortly before it expires; it goes in an `Authorization: Bearer`
 * header. With no cookie ever sent, a cross-site page cannot make an authenticated request
 * (CSRF has nothing to ride on).
 *
 * What the signed-in identity may do is read from its access token's `kind` and `roles`
 * claims, only to decide which buttons to show: the registry checks every request itself.
 */
import { canChange, canManageIdentities, readTokenClaims, type TokenClaims } from './token-claims';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface TokenAnswer {
  token?: string;
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

interface CachedToken {
  token: string;
  /** ms since the epoch after which a fresh one is asked for */
  renewAt: number;
}

const requestTimeoutMs = 30_000;

/**
 * Asks the gateway for a Bearer challenge on a 401 rather than a Basic one, which would make
 * the browser open its own password dialog and hold the request (gateway
 * auth/script-challenge.ts).
 */
const scriptHeader = { 'x-requested-with': 'XMLHttpRequest' };

/** The token endpoint's `service`, from the challenge of `GET /v2/`; null: auth is off. */
async function registryService(): Promise<string | null> {
  const response = await fetch('/v2/', { signal: AbortSignal.timeout(requestTimeoutMs) });
  if (response.ok) return null;
  const challenge = response.headers.get('www-authenticate') ?? '';
  const service = /service="([^"]*)"/.exec(challenge)?.[1];
  if (response.status !== 401 || service === undefined) {
    throw new ApiError(response.status, 'UNAVAILABLE', 'the registry did not answer as expected');
  }
  return service;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const { errors } = JSON.parse(text) as { errors?: { code: string; message: string }[] };
    const [first] = errors ?? [];
    if (first) return new ApiError(response.status, first.code, first.message);
  } catch {
    // not the registry's error format: say what the status was
  }
  return new ApiError(response.status, 'UNKNOWN', `the registry answered ${response.status}`);
}

async function postToken(form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch('/oauth2/token', {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      ...scriptHeader,
    },
    body: new URLSearchParams({ ...form, client_id: 'meridian-portal' }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as TokenAnswer;
}

export class RegistrySession {
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  private constructor(
    readonly username: string,
    /** null: authentication is off, no token is sent */
    private readonly service: string | null,
    private readonly refreshToken: string | undefined,
    readonly claims: TokenClaims,
  ) {}

  static async signIn(username: string, password: string): Promise<RegistrySession> {
    const service = await registryService();
    if (service === null) {
      return new RegistrySession(username, null, undefined, { kind: 'admin', roles: [] });
    }
    const answer = await postToken({
      grant_type: 'password',
      username,
      password,
      service,
      access_type: 'offline',
      scope: 'registry:catalog:*',
    });
    const accessToken = answer.access_token ?? answer.token;
    if (!answer.refresh_token || !accessToken) {
      throw new ApiError(401, 'UNAUTHORIZED', 'the registry issued no token for these credentials');
    }
    const session = new RegistrySession(
      username,
      service,
      answer.refresh_token,
      readTokenClaims(accessToken),
    );
    session.remember('registry:catalog:*', accessToken, answer.expires_in);
    return session;
  }

  /** Owners and Contributors (and the admin account) change things; others only look. */
  get mayChange(): boolean {
    return canChange(this.claims);
  }

  /** Owners (and the admin account) manage identities, tokens and scope maps. */
  get mayManageIdentities(): boolean {
    return canManageIdentities(this.claims);
  }

  /** GET (or another method) of a JSON API path; the parsed body. */
  async json<T>(
    path: string,
    options: { scope?: string; method?: string; body?: unknown; accept?: string } = {},
  ): Promise<T> {
    const response = await this.fetch(path, options);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A request with the Bearer token for `scope`; throws ApiError unless the answer is 2xx. */
  async fetch(
    path: string,
    options: { scope?: string; method?: string; body?: unknown; accept?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      ...scriptHeader,
    };
    const token = await this.accessToken(options.scope ?? '');
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  private async accessToken(scope: string): Promise<string | undefined> {
    if (this.service === null || this.refreshToken === undefined) return undefined;
    const cached = this.tokens.get(scope);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.renewAt > Date.now()) return token.token;
    }
    const asked = postToken({
      grant_type: 'refresh_token',
      refresh_token: this.refreshToken,
      service: this.service,
      ...(scope ? { scope } : {}),
    }).then((answer) => {
      const token = answer.access_token ?? answer.token;
      if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'the registry issued no token');
      return { token, renewAt: renewAt(answer.expires_in) };
    });
    this.tokens.set(scope, asked);
    asked.catch(() => this.tokens.delete(scope));
    return (await asked).token;
  }

  private remember(scope: string, token: string, expiresIn: number | undefined): void {
    this.tokens.set(scope, Promise.resolve({ token, renewAt: renewAt(expiresIn) }));
  }
}

/** A minute before the token expires (or at half its life, when that is shorter). */
function renewAt(expiresInSeconds = 60): number {
  const lifeMs = expiresInSeconds * 1000;
  return Date.now() + Math.max(lifeMs / 2, lifeMs - 60_000);
}
