/**
 * `meridian replication list | status | lag` (commands/replication.commands.ts).
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addReplication(program: Command): void {
  const replication = program.command('replication').description('geo-replication across regions');
  const load = () => import('../commands/replication.commands.js');
  replication
    .command('list')
    .description('each peer region as this region sees it: connected, events pending, throughput')
    .addHelpText('after', example('meridian replication list -o table'))
    .action(async (_options, command: Command) => (await load()).list(globalsOf(command)));
  replication
    .command('status')
    .description('where an image is ready; --wait blocks until it is ready everywhere asked')
    .argument('<image>', 'repository:tag or repository@digest')
    .option('--wait', 'wait until ready in every region asked for')
    .option('--regions <a,b>', 'only these regions (default: all)')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '10m')
    .option('--interval <duration>', 'how often to ask while waiting', '1s')
    .addHelpText(
      'after',
      example('meridian replication status team/app:v1 --wait --regions eu-west --timeout 5m'),
    )
    .action(async (image: string, options, command: Command) =>
      (await load()).status(globalsOf(command), image, options),
    );
  replication
    .command('lag')
    .description("each peer link's lag and events pending as sampled over the last minutes")
    .option('--minutes <n>', 'how far back, 1 to 1440', '60')
    .addHelpText('after', example('meridian replication lag --minutes 15 -o table'))
    .action(async (options: { minutes: string }, command: Command) =>
      (await load()).lag(globalsOf(command), options),
    );
}
