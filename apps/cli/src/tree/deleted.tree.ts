/**
 * `meridian deleted list | restore` (commands/soft-delete.commands.ts): the manifests soft
 * delete keeps restorable in the region the registry address reaches, and their restore.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { example, globalsOf } from './command-options';

export function addDeleted(program: Command): void {
  const load = () => import('../commands/soft-delete.commands.js');
  const deleted = program
    .command('deleted')
    .description('deleted manifests soft delete keeps restorable, and their restore');
  deleted
    .command('list')
    .description("a repository's restorable manifests, with the tags they had")
    .requiredOption('-n, --repository <repository>', 'the repository')
    .option('--top <n>', 'list at most n', positiveInteger)
    .addHelpText('after', example('meridian deleted list --repository team/app -o table'))
    .action(async (options, command: Command) =>
      (await load()).deletedList(globalsOf(command), options),
    );
  deleted
    .command('restore')
    .description(
      'push a deleted manifest back, with its tags unless one was re-pointed since (every region)',
    )
    .argument('<repository@digest>', 'the deleted manifest, e.g. team/app@sha256:…')
    .addHelpText('after', example('meridian deleted restore team/app@sha256:9f86…0f00a08'))
    .action(async (image: string, _options, command: Command) =>
      (await load()).deletedRestore(globalsOf(command), image),
    );
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number, 1 or more');
  }
  return Number(value);
}
