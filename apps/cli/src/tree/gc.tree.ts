/** `meridian gc …` and `meridian gc show` (commands/gc.commands.ts). */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addGc(program: Command): void {
  const load = () => import('../commands/gc.commands.js');
  const gc = program
    .command('gc')
    .description(
      "free the store's bytes no manifest references (garbage collection, in the region the CLI talks to)",
    )
    .option('--dry-run', 'only report what would be freed')
    .option('--wait', 'wait until the collection is done and print its counts')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '2h')
    .option('--interval <duration>', 'how often to ask while waiting', '2s')
    .addHelpText('after', example('meridian gc --dry-run --wait', 'meridian gc --wait -o json'))
    .action(async (options, command: Command) => (await load()).start(globalsOf(command), options));
  gc.command('show')
    .description('a garbage collection: its status and counts')
    .argument('<id>', 'the job id `meridian gc` printed')
    .addHelpText('after', example('meridian gc show 0b6f…e2'))
    .action(async (id: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), id),
    );
}
