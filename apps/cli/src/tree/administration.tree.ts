/**
 * `meridian credential | sp | settings | quarantine | scan …` (commands/admin.commands.ts).
 */
import { type Command, Option } from 'commander';
import { booleanFlag, example, globalsOf } from './command-options';

export function addAdministration(program: Command): void {
  const load = () => import('../commands/admin.commands.js');
  const credential = program
    .command('credential')
    .description("the admin account's user name and two passwords");
  credential
    .command('show')
    .description('whether the admin account is enabled, and its password dates')
    .addHelpText('after', example('meridian credential show'))
    .action(async (_options, command: Command) =>
      (await load()).credentialShow(globalsOf(command)),
    );
  credential
    .command('renew')
    .description('a new password (shown once); refresh tokens it opened are revoked')
    .addOption(
      new Option('--password-name <name>', 'which one')
        .choices(['password', 'password2'])
        .default('password'),
    )
    .addHelpText('after', example('meridian credential renew --password-name password2'))
    .action(async (options, command: Command) =>
      (await load()).credentialRenew(globalsOf(command), options),
    );

  const sp = program.command('sp').description('service principals: an id, a secret and roles');
  sp.command('create')
    .description('create a service principal (its secret is shown once)')
    .requiredOption('--id <id>', 'service principal id')
    .option('--roles <a,b>', 'AcrPull, AcrPush, AcrDelete, Reader, Contributor, Owner, …')
    .option('--description <text>', 'what it is for')
    .addHelpText('after', example('meridian sp create --id ci-push --roles AcrPush'))
    .action(async (options, command: Command) =>
      (await load()).spCreate(globalsOf(command), options),
    );
  sp.command('list')
    .description('every service principal')
    .addHelpText('after', example('meridian sp list -o table'))
    .action(async (_options, command: Command) => (await load()).spList(globalsOf(command)));
  for (const [name, description, run] of [
    ['show', 'a service principal', 'spShow'],
    ['delete', 'delete a service principal', 'spDelete'],
    ['reset-secret', 'a new secret (shown once); its refresh tokens are revoked', 'spResetSecret'],
  ] as const) {
    sp.command(name)
      .description(description)
      .requiredOption('--id <id>', 'service principal id')
      .addHelpText('after', example(`meridian sp ${name} --id ci-push`))
      .action(async (options, command: Command) =>
        (await load())[run](globalsOf(command), options),
      );
  }
  const role = sp.command('role').description("a service principal's roles");
  for (const change of ['add', 'remove'] as const) {
    role
      .command(change)
      .description(`${change} a role`)
      .requiredOption('--id <id>', 'service principal id')
      .requiredOption('--role <role>', 'e.g. AcrPull')
      .addHelpText('after', example(`meridian sp role ${change} --id ci-push --role AcrDelete`))
      .action(async (options, command: Command) =>
        (await load()).spRole(globalsOf(command), change, options),
      );
  }

  const settings = program.command('settings').description("the registry's settings");
  settings
    .command('show')
    .description('anonymous pull on or off')
    .addHelpText('after', example('meridian settings show'))
    .action(async (_options, command: Command) => (await load()).settingsShow(globalsOf(command)));
  settings
    .command('update')
    .description('turn anonymous pull on or off')
    .option('--anonymous-pull <bool>', 'true or false', booleanFlag)
    .addHelpText('after', example('meridian settings update --anonymous-pull true'))
    .action(async (options, command: Command) =>
      (await load()).settingsUpdate(globalsOf(command), options),
    );

  const quarantine = program
    .command('quarantine')
    .description('quarantine: new images unpullable until their scan passes');
  quarantine
    .command('show')
    .description('whether quarantine is on')
    .addHelpText('after', example('meridian quarantine show'))
    .action(async (_options, command: Command) =>
      (await load()).quarantineShow(globalsOf(command)),
    );
  quarantine
    .command('set')
    .description('turn quarantine on or off')
    .requiredOption('--enabled <bool>', 'true or false', booleanFlag)
    .addHelpText('after', example('meridian quarantine set --enabled true'))
    .action(async (options, command: Command) =>
      (await load()).quarantineSet(globalsOf(command), options),
    );

  program
    .command('scan')
    .description('vulnerability scans')
    .command('show')
    .description("an image's scan report; on a table its findings, most severe first")
    .argument('<image>', 'repository:tag or repository@digest')
    .addHelpText('after', example('meridian scan show team/app:v1 -o table'))
    .action(async (image: string, _options, command: Command) =>
      (await load()).scanShow(globalsOf(command), image),
    );
}
