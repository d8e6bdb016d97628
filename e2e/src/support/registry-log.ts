/**
 * Every line a registry under test writes goes to `tmp/e2e/<label>-<time>.log` in the
 * repository (git-ignored) and stays there after the test, so a failure can be traced
 * through the services' own logs; the last lines also go into failure messages.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { type OutputLine } from '@meridian/testing';

export const repoRoot = resolve(__dirname, '..', '..', '..');

export class RegistryLog {
  readonly path: string;
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];

  constructor(label: string) {
    const dir = join(repoRoot, 'tmp', 'e2e');
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${label}-${new Date().toISOString().replaceAll(':', '-')}.log`);
    this.stream = createWriteStream(this.path, { flags: 'a' });
  }

  write(line: OutputLine | string): void {
    const text = typeof line === 'string' ? line : line.text;
    this.stream.write(`${text}\n`);
    this.tail.push(text);
    if (this.tail.length > 500) this.tail.shift();
  }

  describe(lines = 40): string {
    const last = this.tail.slice(-lines).map((text) => `  ${text}`);
    return [`registry log: ${this.path}`, `last ${last.length} lines:`, ...last].join('\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
