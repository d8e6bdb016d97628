/**
 * A client of another registry's `/v2` API, for imports and the pull-through cache: a
 * manifest by tag or digest (or only its digest, by HEAD), a blob as a stream. It logs in the way the upstream asks on its first 401: Docker token auth
 * (anonymous, or with the credentials' username and password) or Basic auth; a bearer token
 * given as credentials is sent as it is.
 *
 * Every address it connects to (the registry, a token realm, a redirect's target) is checked
 * against the AddressPolicy first and the connection pinned to the checked address, so an
 * upstream cannot point an import at an internal service. HTTPS always, with the system CAs
 * or the request's CA bundle; plain HTTP only for hosts the operator lists in
 * MERIDIAN_INSECURE_UPSTREAMS. Credentials never follow a redirect to another host.
 *
 * Nothing waits forever: a request whose connection stays silent for `stallTimeoutMs` (no
 * answer, or no byte of a body being streamed) fails as UPSTREAM_TIMEOUT.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Credentials } from '@meridian/contracts';
import type { AddressPolicy } from './address-policy';
import {
  type Resolver,
  TargetRefused,
  pinnedLookup,
  resolveTarget,
  systemResolver,
} from './resolve-target';
import { ImportFailure, asFailure, failureForStatus } from './import-failure';
import { parseAuthChallenge } from './parse-auth-challenge';

export interface UpstreamSettings {
  policy: AddressPolicy;
  /** `host[:port]` names allowed over plain HTTP */
  insecureHosts: readonly string[];
  stallTimeoutMs: number;
  resolve?: Resolver;
}

export interface UpstreamOptions {
  /** `host[:port]` */
  registry: string;
  credentials?: Credentials;
  caBundle?: string;
}

/** Every manifest type Meridian stores, in the order an import prefers them. */
const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const maxManifestBytes = 4 * 1024 * 1024;
const maxTokenResponseBytes = 1024 * 1024;
const maxRedirects = 5;

export interface UpstreamManifest {
  body: Buffer;
  contentType?: string;
  /** Docker-Content-Digest, when the upstream sent it */
  digest?: string;
}

export interface UpstreamBlob {
  stream: Readable;
  /** Content-Length, when the upstream sent it */
  length?: number;
}

export class UpstreamRegistry {
  private readonly base: URL;
  private authorization?: string;

  constructor(
    private readonly options: UpstreamOptions,
    private readonly settings: UpstreamSettings,
  ) {
    const insecure = settings.insecureHosts.includes(options.registry.toLowerCase());
    this.base = new URL(`${insecure ? 'http' : 'https'}://${options.registry}/`);
    if ('token' in (options.credentials ?? {}))
      this.authorization = `Bearer ${(options.credentials as { token: string }).token}`;
  }

  async manifest(repository: string, reference: string): Promise<UpstreamManifest> {
    const what = `manifest ${repository}:${reference}`;
    const response = await this.get(`v2/${repository}/manifests/${reference}`, repository, what, {
      accept: manifestAccept,
    });
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > maxManifestBytes) {
      response.destroy();
      throw new ImportFailure('UPSTREAM_INVALID', `${what} is larger than 4 MiB`);
    }
    const body = await readAll(response, maxManifestBytes, what);
    const digest = response.headers['docker-content-digest'];
    return {
      body,
      ...(response.headers['content-type']
        ? { contentType: response.headers['content-type'] }
        : {}),
      ...(typeof digest === 'string' ? { digest } : {}),
    };
  }

  /** What a HEAD of the manifest says: its digest (when sent), type and size; no body. */
  async manifestHead(
    repository: string,
    reference: string,
  ): Promise<Omit<UpstreamManifest, 'body'> & { size?: number }> {
    const what = `manifest ${repository}:${reference}`;
    const response = await this.get(
      `v2/${repository}/manifests/${reference}`,
      repository,
      what,
      { accept: manifestAccept },
      'HEAD',
    );
    response.resume();
    const digest = response.headers['docker-content-digest'];
    const length = response.headers['content-length'];
    return {
      ...(response.headers['content-type']
        ? { contentType: response.headers['content-type'] }
        : {}),
      ...(typeof digest === 'string' ? { digest } : {}),
      ...(length === undefined ? {} : { size: Number(length) }),
    };
  }

  async blob(repository: string, digest: string): Promise<UpstreamBlob> {
    const response = await this.get(
      `v2/${repository}/blobs/${digest}`,
      repository,
      `blob ${digest}`,
    );
    const length = response.headers['content-length'];
    return { stream: response, ...(length === undefined ? {} : { length: Number(length) }) };
  }

  /** A 2xx answer to GET (or HEAD) `path`, after logging in if challenged and following redirects. */
  private async get(
    path: string,
    repository: string,
    what: string,
    headers: Record<string, string> = {},
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<IncomingMessage> {
    let url = new URL(path, this.base);
    let challenged = false;
    for (let redirects = 0; ;) {
      const sameHost = url.host === this.base.host;
      const response = await this.send(
        url,
        {
          ...headers,
          ...(sameHost && this.authorization ? { authorization: this.authorization } : {}),
        },
        method,
      );
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return response;
      response.resume();
      if (status === 401 && sameHost && !challenged) {
        challenged = true;
        this.authorization = await this.login(
          response.headers['www-authenticate'],
          repository,
          what,
        );
        continue;
      }
      if ([301, 302, 303, 307, 308].includes(status) && response.headers.location) {
        if (++redirects > maxRedirects)
          throw new ImportFailure(
            'UPSTREAM_INVALID',
            `${what}: more than ${maxRedirects} redirects`,
          );
        url = new URL(response.headers.location, url);
        continue;
      }
      throw failureForStatus(status, what);
    }
  }

  /** The Authorization header the challenge asks for, with the credentials given. */
  private async login(
    header: string | undefined,
    repository: string,
    what: string,
  ): Promise<string> {
    const challenge = parseAuthChallenge(header);
    const credentials = this.options.credentials;
    const basic =
      credentials && 'username' in credentials
        ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
        : undefined;
    if (challenge?.scheme === 'basic') {
      if (!basic)
        throw new ImportFailure(
          'UPSTREAM_UNAUTHORIZED',
          `${what}: the upstream asks for a username and password`,
        );
      return basic;
    }
    if (challenge?.scheme !== 'bearer')
      throw new ImportFailure(
        'UPSTREAM_UNAUTHORIZED',
        `${what}: the upstream answered 401 without a usable challenge`,
      );
    const realm = new URL(challenge.realm);
    if (challenge.service !== undefined) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
    const response = await this.send(realm, basic ? { authorization: basic } : {});
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.resume();
      throw failureForStatus(status, `the token for ${what}`);
    }
    const text = (await readAll(response, maxTokenResponseBytes, 'the token response')).toString(
      'utf8',
    );
    let token: unknown;
    try {
      const parsed = JSON.parse(text) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      throw new ImportFailure(
        'UPSTREAM_INVALID',
        'the upstream token endpoint answered something other than JSON',
      );
    }
    if (typeof token !== 'string' || token === '')
      throw new ImportFailure('UPSTREAM_INVALID', 'the upstream token endpoint answered no token');
    return `Bearer ${token}`;
  }

  /** One GET (or HEAD) to a checked address; the answer once its headers arrive. */
  private async send(
    url: URL,
    headers: Record<string, string>,
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<IncomingMessage> {
    const insecureAllowed = this.settings.insecureHosts.includes(url.host.toLowerCase());
    if (url.protocol === 'http:' && !insecureAllowed)
      throw new ImportFailure(
        'UPSTREAM_REFUSED',
        `${url.host} is not listed in MERIDIAN_INSECURE_UPSTREAMS, so plain HTTP to it is refused`,
      );
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ImportFailure('UPSTREAM_REFUSED', `${url.protocol} is not http or https`);
    let target;
    try {
      target = await resolveTarget(
        url.href,
        this.settings.policy,
        this.settings.resolve ?? systemResolver,
      );
    } catch (error) {
      if (error instanceof TargetRefused)
        throw new ImportFailure('UPSTREAM_REFUSED', `${url.host}: ${error.message}`);
      throw error;
    }
    const client = url.protocol === 'https:' ? https : http;
    const { stallTimeoutMs } = this.settings;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = client.request(
        url,
        {
          method,
          headers: { 'user-agent': 'meridian-import', ...headers },
          lookup: pinnedLookup(target),
          agent: false,
          ...(url.protocol === 'https:' && this.options.caBundle
            ? { ca: this.options.caBundle }
            : {}),
        },
        resolve,
      );
      // idle time on the socket: waiting for the answer, and between bytes of its body later
      request.setTimeout(stallTimeoutMs, () =>
        request.destroy(
          new ImportFailure(
            'UPSTREAM_TIMEOUT',
            `${url.host} sent nothing for ${Math.round(stallTimeoutMs / 1000)} s`,
            true,
          ),
        ),
      );
      request.on('error', (error) => reject(asFailure(error, url)));
      request.end();
    });
  }
}

async function readAll(stream: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        throw new ImportFailure('UPSTREAM_INVALID', `${what} is larger than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw asFailure(error);
  }
  return Buffer.concat(chunks);
}
