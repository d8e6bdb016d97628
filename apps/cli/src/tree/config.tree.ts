/**
 * `meridian config retention show | update` (commands/retention.commands.ts): ACR's
 * `az acr config retention`, the registry's retention policy for untagged manifests.
 * `meridian config soft-delete show | update` (commands/soft-delete.commands.ts): ACR's
 * `az acr config soft-delete`, how long deleted manifests stay restorable.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { example, globalsOf } from './command-options';

export function addConfig(program: Command): void {
  const load = () => import('../commands/retention.commands.js');
  const config = program.command('config').description("the registry's policies");
  const retention = config
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
  addSoftDelete(config);
}

function addSoftDelete(config: Command): void {
  const load = () => import('../commands/soft-delete.commands.js');
  const softDelete = config
    .command('soft-delete')
    .description('soft delete: keep deleted manifests restorable for a number of days');
  softDelete
    .command('show')
    .description('whether soft delete is on, and for how many days deleted manifests stay')
    .addHelpText('after', example('meridian config soft-delete show'))
    .action(async (_options, command: Command) =>
      (await load()).softDeleteShow(globalsOf(command)),
    );
  softDelete
    .command('update')
    .description('turn soft delete on or off, or change its days (in every region)')
    .option('--enabled', 'keep what is deleted from now on restorable')
    .option('--disabled', 'keep nothing more (what is restorable stays until it expires)')
    .option('--retention-days <n>', 'days a deleted manifest stays restorable, 1 to 90', softDays)
    .addHelpText(
      'after',
      example('meridian config soft-delete update --enabled --retention-days 7'),
    )
    .action(async (options, command: Command) =>
      (await load()).softDeleteUpdate(globalsOf(command), options),
    );
}

function softDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 90) {
    throw new InvalidArgumentError('expected a whole number of days, 1 to 90');
  }
  return Number(value);
}

function retentionDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 365) {
    throw new InvalidArgumentError('expected a whole number of days, 0 to 365');
  }
  return Number(value);
}
