/**
 * skopeo against the registry under test, over plain HTTP on loopback. A failed command
 * throws with skopeo's stderr and the registry's last log lines.
 */
import { runCommand } from '@meridian/testing';
import { type RegistryUnderTest } from './registry-under-test';
import { withRegistryOutput } from './with-registry-output';

export interface SkopeoInspection {
  Name: string;
  Digest: string;
  RepoTags: string[];
  Architecture: string;
  Os: string;
  Layers: string[];
}

export class Skopeo {
  constructor(private readonly registry: RegistryUnderTest) {}

  /** `docker://<host>/<repository>[:tag|@digest]` on the registry under test */
  docker(reference: string): string {
    return `docker://${this.registry.host}/${reference}`;
  }

  async copy(source: string, destination: string, flags: readonly string[] = []): Promise<void> {
    await this.run([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...flags,
      source,
      destination,
    ]);
  }

  /** The manifest exactly as served. */
  async inspectRaw(reference: string): Promise<Buffer> {
    return (await this.run(['inspect', '--tls-verify=false', '--raw', reference])).stdoutBytes;
  }

  async inspect(reference: string, flags: readonly string[] = []): Promise<SkopeoInspection> {
    const result = await this.run(['inspect', '--tls-verify=false', ...flags, reference]);
    return JSON.parse(result.stdout) as SkopeoInspection;
  }

  async listTags(repository: string): Promise<string[]> {
    const result = await this.run(['list-tags', '--tls-verify=false', this.docker(repository)]);
    return (JSON.parse(result.stdout) as { Tags: string[] }).Tags;
  }

  async delete(reference: string): Promise<void> {
    await this.run(['delete', '--tls-verify=false', reference]);
  }

  /**
   * Runs skopeo, logged in to the registry under test; the policy file of the machine plays
   * no part in what is tested.
   */
  run(args: readonly string[]) {
    const env = { ...process.env, REGISTRY_AUTH_FILE: this.registry.authFile };
    return withRegistryOutput(
      this.registry,
      runCommand('skopeo', ['--insecure-policy', ...args], { env }),
    );
  }
}
