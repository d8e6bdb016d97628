/**
 * `meridian repository …`: ACR's data plane (commands/repository.commands.ts).
 */
import { type Command, Option } from 'commander';
import { booleanFlag, example, globalsOf, positiveInteger } from './command-options';

export function addRepository(program: Command): void {
  const repository = program
    .command('repository')
    .description("repositories, tags and manifests (ACR's data-plane API, /acr/v1)");
  const load = () => import('../commands/repository.commands.js');

  repository
    .command('list')
    .description('list the repositories you may read')
    .option('--top <n>', 'at most this many', positiveInteger)
    .addHelpText('after', example('meridian repository list --top 20 -o tsv'))
    .action(async (options, command: Command) => (await load()).list(globalsOf(command), options));
  repository
    .command('show')
    .description("a repository's attributes, or an image's (--image)")
    .option('-n, --name <repository>', 'repository name')
    .option('-t, --image <image>', 'repository:tag or repository@digest')
    .addHelpText(
      'after',
      example('meridian repository show -n team/app', 'meridian repository show -t team/app:v1'),
    )
    .action(async (options, command: Command) => (await load()).show(globalsOf(command), options));
  repository
    .command('show-tags')
    .description("a repository's tags (names; the whole records with --detail)")
    .requiredOption('-n, --name <repository>', 'repository name')
    .addOption(
      new Option('--orderby <order>', 'by last update instead of by name').choices([
        'time_desc',
        'time_asc',
      ]),
    )
    .option('--top <n>', 'at most this many', positiveInteger)
    .option('--detail', 'digest, times and attributes of each tag')
    .addHelpText(
      'after',
      example('meridian repository show-tags -n team/app --orderby time_desc --top 5 --detail'),
    )
    .action(async (options, command: Command) =>
      (await load()).showTags(globalsOf(command), options),
    );
  repository
    .command('show-manifests')
    .description("a repository's manifests with their tags, size and platform")
    .requiredOption('-n, --name <repository>', 'repository name')
    .addOption(
      new Option('--orderby <order>', 'by last update instead of by digest').choices([
        'time_desc',
        'time_asc',
      ]),
    )
    .option('--top <n>', 'at most this many', positiveInteger)
    .addHelpText(
      'after',
      example('meridian repository show-manifests -n team/app --query "[?tags[0]].digest"'),
    )
    .action(async (options, command: Command) =>
      (await load()).showManifests(globalsOf(command), options),
    );
  repository
    .command('update')
    .description('lock or unlock a repository, a tag or a manifest (its changeable attributes)')
    .option('-n, --name <repository>', 'repository name')
    .option('-t, --image <image>', 'repository:tag or repository@digest')
    .option('--write-enabled <bool>', 'allow pushes and deletes (true|false)', booleanFlag)
    .option('--delete-enabled <bool>', 'allow deletes (true|false)', booleanFlag)
    .option('--read-enabled <bool>', 'allow pulls (true|false)', booleanFlag)
    .option('--list-enabled <bool>', 'show in listings (true|false)', booleanFlag)
    .addHelpText(
      'after',
      example(
        'meridian repository update -t team/app:v1 --write-enabled false --delete-enabled false',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).update(globalsOf(command), options),
    );
  repository
    .command('delete')
    .description('delete a repository (--name) or a manifest and its tags (--image)')
    .option('-n, --name <repository>', 'repository name')
    .option('-t, --image <image>', 'repository:tag or repository@digest')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      example(
        'meridian repository delete -n team/old --yes',
        'meridian repository delete -t team/app@sha256:… --yes',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).remove(globalsOf(command), options),
    );
  repository
    .command('untag')
    .description('remove a tag (the manifest stays)')
    .requiredOption('-t, --image <image>', 'repository:tag')
    .addHelpText('after', example('meridian repository untag -t team/app:old'))
    .action(async (options, command: Command) => (await load()).untag(globalsOf(command), options));
}
