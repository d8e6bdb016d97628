/**
 * `meridian config retention show | update` (commands/retention.commands.ts): ACR's
 * `az acr config retention`, the registry's retention policy for untagged manifests.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { example, globalsOf } from './command-options';

export function addConfig(program: Command): void {
  const load = () => import('../commands/retention.commands.js');
  const retention = program
    .command('config')
    .description("the registry's policies")
    .command('retention')
    .description('retention: delete manifests untagged for longer than a number of days');
  retention
    .command('show')
    .description('whether retention is on, and after how many days')
    .addHelpText('after', example('meridian config retention show'))
    .action(async (_options, command: Command) => (await load()).retentionShow(globalsOf(command)));
  retention
    .command('update')
    .description('turn retention on or off, or change its days (in every region)')
    .addOption(
      new Option('--status <status>', 'enabled or disabled').choices(['enabled', 'disabled']),
    )
    .option('--days <n>', 'days a manifest may stay untagged, 0 to 365', retentionDays)
    .addOption(
      new Option('--type <type>', 'what the policy applies to')
        .choices(['UntaggedManifests'])
        .default('UntaggedManifests'),
    )
    .addHelpText(
      'after',
      example(
        'meridian config retention update --status enabled --days 7 --type UntaggedManifests',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).retentionUpdate(globalsOf(command), options),
    );
}

function retentionDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 365) {
    throw new InvalidArgumentError('expected a whole number of days, 0 to 365');
  }
  return Number(value);
}
