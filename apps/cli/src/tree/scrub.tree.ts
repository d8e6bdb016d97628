/**
 * `meridian scrub` and `meridian scrub show` (commands/scrub.commands.ts): re-read the
 * region's blobs, verify their digests, repair the bad ones from a peer region.
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addScrub(program: Command): void {
  const load = () => import('../commands/scrub.commands.js');
  const scrub = program
    .command('scrub')
    .description(
      "re-read the region's blobs, verify their digests, and repair corrupt or missing ones from a peer region",
    )
    .option('--repository <name>', 'only the blobs this repository sees')
    .option('--no-repair', 'only report what is corrupt or missing')
    .option('--wait', 'wait until the job is done, showing its progress, and print what it found')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '2h')
    .option('--interval <duration>', 'how often to ask while waiting', '1s')
    .addHelpText(
      'after',
      example(
        'meridian scrub --wait',
        'meridian scrub --repository team/app --no-repair --wait -o table',
      ),
    )
    .action(async (options, command: Command) => (await load()).start(globalsOf(command), options));
  scrub
    .command('show')
    .description('a scrub job: its state, progress, counts, and the blobs it found wrong')
    .argument('<id>', 'the job id `meridian scrub` printed')
    .addHelpText('after', example('meridian scrub show 0b6f…e2 -o table'))
    .action(async (id: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), id),
    );
}
