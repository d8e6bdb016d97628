/**
 * The `meridian` command as an operator runs it: the package's bin (bin/meridian.js, which
 * runs the compiled CLI from dist/) in a child process, with a home of its own, so what
 * `meridian login` writes (~/.docker/config.json, $XDG_RUNTIME_DIR/containers/auth.json,
 * ~/.meridian/config.json) lands in a temporary folder the test can read and hand to skopeo.
 * `inTerminal` runs it on a pseudo-terminal (util-linux `script`), where it draws tables
 * and progress bars.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './registry-log';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** what the developer's own shell might set and must not leak into the tests */
const cleared = [
  'MERIDIAN_REGISTRY',
  'MERIDIAN_USERNAME',
  'MERIDIAN_PASSWORD',
  'MERIDIAN_CONFIG_DIR',
  'REGISTRY_AUTH_FILE',
  'DOCKER_CONFIG',
  'NO_COLOR',
  'FORCE_COLOR',
];

/** Builds the CLI (and the libraries it imports) into dist/, as `npm run build` does. */
export function buildCli(): void {
  const build = spawnSync(
    join(repoRoot, 'node_modules', '.bin', 'nx'),
    ['run', 'cli:build', '--output-style=static'],
    {
      cwd: repoRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_TUI: 'false' },
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) {
    throw new Error(
      `nx run cli:build failed (exit ${build.status}):\n${build.stdout}${build.stderr}`,
    );
  }
}

export class MeridianCli {
  readonly bin = join(repoRoot, 'bin', 'meridian.js');

  constructor(readonly home: string) {}

  /** where docker and the containers tools look, for this home */
  get dockerConfig(): string {
    return join(this.home, '.docker', 'config.json');
  }
  get runtimeDir(): string {
    return join(this.home, 'run');
  }
  get containersAuth(): string {
    return join(this.runtimeDir, 'containers', 'auth.json');
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: this.home,
      XDG_RUNTIME_DIR: this.runtimeDir,
    };
    for (const key of cleared) delete env[key];
    return { ...env, ...extra };
  }

  async prepare(): Promise<void> {
    await mkdir(this.runtimeDir, { recursive: true, mode: 0o700 });
  }

  run(
    args: readonly string[],
    options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ): Promise<CliResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.bin, ...args], {
        cwd: this.home,
        env: this.env(options.env),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.once('error', reject);
      child.once('close', (status) => {
        clearTimeout(timer);
        resolve({
          status: status ?? -1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          ms: performance.now() - started,
        });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  /** Runs the command with `--output json` and parses its stdout; a failure throws with stderr. */
  async json<T>(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<T> {
    const result = await this.run([...args, '--output', 'json'], { env });
    if (result.status !== 0) {
      throw new Error(`meridian ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  /** Runs the command on a pseudo-terminal; what the terminal showed (stdout and stderr). */
  inTerminal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const command = [process.execPath, this.bin, ...args].map(shellQuote).join(' ');
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: this.home,
        env: this.env({ TERM: 'xterm-256color', COLUMNS: '160', LINES: '40', ...env }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.once('error', reject);
      child.once('close', (status) =>
        resolve({
          status: status ?? -1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
      child.stdin.end();
    });
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
