/**
 * `meridian token …` and `meridian scope-map …` (commands/token.commands.ts).
 */
import { type Command, Option } from 'commander';
import { example, globalsOf } from './command-options';

export function addTokens(program: Command): void {
  const load = () => import('../commands/token.commands.js');
  const status = () =>
    new Option('--status <status>', 'enabled or disabled').choices(['enabled', 'disabled']);
  const token = program
    .command('token')
    .description('repository-scoped tokens: a name and two passwords, bound to a scope map');
  token
    .command('create')
    .description('create a token (then: token credential generate)')
    .requiredOption('-n, --name <name>', 'token name')
    .requiredOption('--scope-map <name>', 'the scope map it is bound to')
    .addOption(status())
    .addHelpText('after', example('meridian token create -n ci-pull --scope-map team-a-read'))
    .action(async (options, command: Command) =>
      (await load()).tokenCreate(globalsOf(command), options),
    );
  token
    .command('update')
    .description("change a token's scope map or status")
    .requiredOption('-n, --name <name>', 'token name')
    .option('--scope-map <name>', 'the scope map it is bound to')
    .addOption(status())
    .addHelpText('after', example('meridian token update -n ci-pull --status disabled'))
    .action(async (options, command: Command) =>
      (await load()).tokenUpdate(globalsOf(command), options),
    );
  token
    .command('list')
    .description('every token')
    .addHelpText('after', example('meridian token list -o table'))
    .action(async (_options, command: Command) => (await load()).tokenList(globalsOf(command)));
  for (const [name, description, run] of [
    ['show', 'a token', 'tokenShow'],
    ['delete', 'delete a token', 'tokenDelete'],
  ] as const) {
    token
      .command(name)
      .description(description)
      .requiredOption('-n, --name <name>', 'token name')
      .addHelpText('after', example(`meridian token ${name} -n ci-pull`))
      .action(async (options, command: Command) =>
        (await load())[run](globalsOf(command), options),
      );
  }
  token
    .command('credential')
    .description("a token's passwords")
    .command('generate')
    .description('generate one of the two passwords (shown once)')
    .requiredOption('-n, --name <name>', 'token name')
    .option('--password1', 'the first password (the default)')
    .option('--password2', 'the second password')
    .option('--expiration <time>', 'an ISO 8601 time after which it no longer logs in')
    .addHelpText(
      'after',
      example(
        'meridian token credential generate -n ci-pull --password2 --expiration 2027-01-01T00:00:00Z',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).tokenCredentialGenerate(globalsOf(command), options),
    );

  const scopeMap = program
    .command('scope-map')
    .description('scope maps: repository patterns and the actions a token may take on them');
  scopeMap
    .command('create')
    .description('create or replace a scope map')
    .requiredOption('-n, --name <name>', 'scope map name')
    .requiredOption(
      '--repository <pattern=actions...>',
      'e.g. "team-a/*=content/read,metadata/read"',
    )
    .option('--description <text>', 'what it is for')
    .addHelpText(
      'after',
      example(
        'meridian scope-map create -n team-a-read --repository "team-a/*=content/read,metadata/read"',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).scopeMapCreate(globalsOf(command), options),
    );
  scopeMap
    .command('update')
    .description('add, replace or remove rules')
    .requiredOption('-n, --name <name>', 'scope map name')
    .option(
      '--add-repository <pattern=actions...>',
      'rules to add (replacing one of the same pattern)',
    )
    .option('--remove-repository <pattern...>', 'patterns whose rules to remove')
    .option('--description <text>', 'what it is for')
    .addHelpText(
      'after',
      example(
        'meridian scope-map update -n team-a-read --add-repository "team-b/app=content/read"',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).scopeMapUpdate(globalsOf(command), options),
    );
  scopeMap
    .command('list')
    .description('every scope map')
    .addHelpText('after', example('meridian scope-map list -o table'))
    .action(async (_options, command: Command) => (await load()).scopeMapList(globalsOf(command)));
  for (const [name, description, run] of [
    ['show', 'a scope map', 'scopeMapShow'],
    ['delete', 'delete a scope map (refused while a token uses it)', 'scopeMapDelete'],
  ] as const) {
    scopeMap
      .command(name)
      .description(description)
      .requiredOption('-n, --name <name>', 'scope map name')
      .addHelpText('after', example(`meridian scope-map ${name} -n team-a-read`))
      .action(async (options, command: Command) =>
        (await load())[run](globalsOf(command), options),
      );
  }
}
