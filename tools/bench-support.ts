/**
 * What the benchmarks in tools/ share: the embedded default started in the foreground as
 * `npm start` runs it (built, then compiled), and a client of one repository that logs in the
 * way docker clients do.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePortPair } from '@meridian/testing';

export const root = resolve(__dirname, '..');
export const log = (line: string) => console.log(`[bench] ${line}`);

/**
 * The launcher in the foreground, JSON logs (one region unless `extraEnv` sets
 * MERIDIAN_REGIONS); resolves with the first region's gateway URL and every region's.
 */
export async function launch(
  dataDir: string,
  password: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; gateway: string; regions: Record<string, string> }> {
  const port = await freePortPair();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_REGIONS: 'us-east',
    MERIDIAN_LOG_FORMAT: 'json',
    MERIDIAN_LOG_LEVEL: 'warn',
    MERIDIAN_ADMIN_PASSWORD: password,
    ...extraEnv,
  };
  // the launcher's own servers on free ports, unless the bench chose them
  for (const key of ['DATABASE_URL', 'MERIDIAN_POSTGRES_PORT', 'MERIDIAN_NATS_PORT'])
    if (!(key in extraEnv)) delete env[key];
  // what users run: the services compiled, bundled, with their code cache (npm start's build)
  const built = spawnSync(process.execPath, ['tools/build-for-start.mjs'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error(`the build for npm start failed (${built.status})`);
  log(`starting ${env['MERIDIAN_REGIONS']} on port ${port} in ${dataDir}`);
  const child = spawn(process.execPath, ['dist/apps/dev/src/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveLaunch, reject) => {
    const timer = setTimeout(() => reject(new Error('meridian was not ready in 240 s')), 240_000);
    child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: { msg?: string; regions?: Record<string, string> };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'meridian ready' && record.regions) {
        clearTimeout(timer);
        const regions = record.regions;
        resolveLaunch({ child, gateway: Object.values(regions)[0]!, regions });
      }
    });
  });
}

/**
 * The requests a bench makes to one repository, with a token for it and the catalog (asked
 * for again every few minutes: tokens are short-lived).
 */
export class Registry {
  private token?: Promise<string | undefined>;
  private tokenAt = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
    readonly repository: string,
  ) {}

  async pushBlob(bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(bytes);
    await this.send('POST', `/v2/${this.repository}/blobs/uploads/?digest=${digest}`, 201, bytes, {
      'content-type': 'application/octet-stream',
    });
    return { digest, size: bytes.length };
  }

  async putManifest(tag: string, body: Buffer): Promise<void> {
    await this.send('PUT', `/v2/${this.repository}/manifests/${tag}`, 201, body, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    });
  }

  get(path: string): Promise<Response> {
    return this.send('GET', path, 200);
  }

  async deleteManifest(digest: string): Promise<void> {
    await this.send('DELETE', `/v2/${this.repository}/manifests/${digest}`, 202);
  }

  async send(
    method: string,
    path: string,
    expected: number,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    if (Date.now() - this.tokenAt > 120_000) {
      this.tokenAt = Date.now();
      this.token = this.fetchToken();
    }
    const token = await this.token;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      body,
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (response.status !== expected)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    if (method !== 'GET') await response.arrayBuffer();
    return response;
  }

  /** A token for everything the bench does, when `GET /v2/` says the registry wants one. */
  private async fetchToken(): Promise<string | undefined> {
    const probe = await fetch(new URL('/v2/', this.baseUrl));
    await probe.arrayBuffer();
    const challenge = probe.headers.get('www-authenticate');
    if (probe.status !== 401 || !challenge?.startsWith('Bearer ')) return undefined;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
    );
    const realm = new URL(params['realm'] ?? '/oauth2/token', this.baseUrl);
    realm.searchParams.set('service', params['service'] ?? 'meridian');
    realm.searchParams.append(
      'scope',
      `repository:${this.repository}:pull,push,delete,metadata_read`,
    );
    const basic = Buffer.from(`${this.username}:${this.password}`).toString('base64');
    const response = await fetch(realm, { headers: { authorization: `Basic ${basic}` } });
    if (response.status !== 200)
      throw new Error(`token: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token ?? '';
  }
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;
}
