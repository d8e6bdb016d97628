/**
 * podman and buildah with a container storage of their own in a temporary directory
 * (`vfs` driver, which needs no kernel overlay support and no daemon), so tests never
 * touch the machine's images and leave nothing behind. Both tools share the storage,
 * as they do on a workstation. Both are logged in to the registry under test
 * (REGISTRY_AUTH_FILE).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '@meridian/testing';
import { type RegistryUnderTest } from './registry-under-test';
import { withRegistryOutput } from './with-registry-output';

export class ContainerStorage {
  private constructor(
    private readonly registry: RegistryUnderTest,
    readonly dir: string,
  ) {}

  static async create(registry: RegistryUnderTest): Promise<ContainerStorage> {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-e2e-containers-'));
    await mkdir(join(dir, 'tmp'));
    return new ContainerStorage(registry, dir);
  }

  podman(args: readonly string[]): Promise<CommandResult> {
    return this.run('podman', [
      ...this.storageFlags(),
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'none',
      '--tmpdir',
      join(this.dir, 'tmp'),
      ...args,
    ]);
  }

  buildah(args: readonly string[]): Promise<CommandResult> {
    return this.run('buildah', [...this.storageFlags(), ...args]);
  }

  dispose(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }

  private storageFlags(): string[] {
    return [
      '--root',
      join(this.dir, 'root'),
      '--runroot',
      join(this.dir, 'run'),
      '--storage-driver',
      'vfs',
    ];
  }

  private run(command: string, args: readonly string[]): Promise<CommandResult> {
    // big temporary files (layer diffs, pulled blobs) stay inside the test's directory
    const env = {
      ...process.env,
      TMPDIR: join(this.dir, 'tmp'),
      REGISTRY_AUTH_FILE: this.registry.authFile,
    };
    return withRegistryOutput(this.registry, runCommand(command, args, { env }));
  }
}
