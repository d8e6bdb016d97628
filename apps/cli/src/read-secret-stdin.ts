import { usageError } from './cli-error';

/**
 * A secret piped on stdin (`--password-stdin`, `--token-stdin`), without its final newline:
 * secrets stay out of the command line, where `ps` and shell history would show them.
 */
export async function readSecretFromStdin(flag: string, example: string): Promise<string> {
  if (process.stdin.isTTY) throw usageError(`${flag} reads a pipe: \`${example}\``);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
