/**
 * What the command tree's files share: the global options of a command, flag parsers
 * (commander calls them on the flag's text; InvalidArgumentError becomes a usage error)
 * and the `Example:` block every command's help ends with.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { GlobalOptions } from '../command-context';

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return Number(value);
}

export function booleanFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('expected true or false');
}

/** the version of the package the CLI is part of (its package.json is above dist/ and src/) */
