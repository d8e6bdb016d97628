/**
 * CNCF distribution (Debian's `docker-registry`), the reference registry, as an upstream
 * for import tests: filesystem storage in a temporary directory, on a free port of
 * 127.0.0.1, without authentication or with htpasswd Basic auth (bcrypt, as distribution
 * requires). The config can change between restarts on the same port and data, so a test
 * pushes without auth and then serves with it. `blobFile` names where a blob's bytes lie,
 * for a test that corrupts them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, waitForHttp } from '@meridian/process';
import { hashSync } from 'bcryptjs';
import { freePort } from '../free-port';
import { spawnProcess } from '../process-group';
import { RegistryClient } from './registry-client';

export interface HtpasswdUser {
  username: string;
  password: string;
}

export class DistributionRegistry {
  private process?: ManagedProcess;
  private user?: HtpasswdUser;

  private constructor(
    private readonly root: string,
    readonly port: number,
  ) {}

  static async start(options: { htpasswd?: HtpasswdUser } = {}): Promise<DistributionRegistry> {
    const root = await mkdtemp(join(tmpdir(), 'meridian-distribution-'));
    const registry = new DistributionRegistry(root, await freePort());
    if (options.htpasswd) registry.user = options.htpasswd;
    await registry.start();
    return registry;
  }

  /** `127.0.0.1:<port>` */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A client without credentials (for pushing, the registry must run without auth). */
  get client(): RegistryClient {
    return new RegistryClient(`http://${this.host}`);
  }

  /** Where distribution keeps a blob's bytes. */
  blobFile(digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string];
    return join(
      this.root,
      'data',
      'docker',
      'registry',
      'v2',
      'blobs',
      algorithm,
      hex.slice(0, 2),
      hex,
      'data',
    );
  }

  /** Serves with htpasswd Basic auth from the next start on (undefined: none). */
  async requireLogin(user: HtpasswdUser | undefined): Promise<void> {
    this.user = user;
    await this.stop();
    await this.start();
  }

  async start(): Promise<void> {
    const config = join(this.root, 'config.yml');
    const lines = [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(this.root, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${this.port} }`,
    ];
    if (this.user) {
      const file = join(this.root, 'htpasswd');
      await writeFile(file, `${this.user.username}:${hashSync(this.user.password, 10)}\n`);
      lines.push(`auth: { htpasswd: { realm: meridian-test, path: ${file} } }`);
    }
    await writeFile(config, lines.join('\n'));
    const current = spawnProcess({
      name: `distribution ${this.port}`,
      command: 'docker-registry',
      args: ['serve', config],
    });
    this.process = current;
    await waitForHttp(`http://${this.host}/`, {
      timeoutMs: 30_000,
      abortIf: () => (current.running ? undefined : current.startError('docker-registry exited')),
    });
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.root, { recursive: true, force: true });
  }
}
