/**
 * `meridian purge …` and `meridian purge show` (commands/purge.commands.ts), with the flags
 * of ACR's `acr purge`.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { example, globalsOf } from './command-options';

export function addPurge(program: Command): void {
  const load = () => import('../commands/purge.commands.js');
  const purge = program
    .command('purge')
    .description(
      'delete tags (and with --untagged, manifests) older than --ago, as `acr purge` does',
    )
    .option(
      '--filter <repo-regex:tag-regex>',
      'repositories and tags to purge (regular expressions, anchored); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--ago <duration>', 'only what was last updated longer ago: 30d, 2h, 1d3h, 0d')
    .option('--untagged', 'also delete manifests left without a tag, with their referrers')
    .option('--keep <n>', 'keep the n newest of the tags it would delete', nonNegativeInteger)
    .option('--dry-run', 'only report what would be deleted')
    .option('--wait', 'wait until the job is done and print what it did, item by item')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '30m')
    .option('--interval <duration>', 'how often to ask while waiting', '1s')
    .addHelpText(
      'after',
      example(
        "meridian purge --filter 'team/.*:pr-.*' --ago 7d --keep 3 --dry-run --wait",
        "meridian purge --filter 'team/app:.*' --ago 30d --untagged --wait",
      ),
    )
    .action(async (options, command: Command) => (await load()).start(globalsOf(command), options));
  purge
    .command('show')
    .description('a purge job: its status, counts, and what it deleted, kept or skipped')
    .argument('<id>', 'the job id `meridian purge` printed')
    .addHelpText('after', example('meridian purge show 0b6f…e2 -o table'))
    .action(async (id: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), id),
    );
}

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return Number(value);
}
