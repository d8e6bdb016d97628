/**
 * The command tree of `meridian`, with commander: every command, its flags, its help and
 * an example. Only commander loads here; each command's module (HTTP client, renderers,
 * tables, progress bars, JMESPath, YAML) is imported when that command runs, so `--help`
 * starts in tens of milliseconds.
 *
 * Global options (`--registry`, `--output`, `--query`) are declared on the root and read
 * anywhere on the line (`optsWithGlobals`). Commander's own errors (an unknown flag, a
 * missing argument) come back to main.ts as CommanderError instead of ending the process,
 * to be printed in the CLI's one-line form with exit status 2.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GlobalOptions } from './command-context';

const outputFormats = ['json', 'table', 'tsv', 'yaml'];

export function buildProgram(): Command {
  const program = new Command('meridian')
    .description("Manage a Meridian registry: ACR's `az acr`, for a registry you run yourself.")
    .version(version(), '-v, --version')
    .addOption(
      new Option(
        '--registry <registry>',
        'host[:port] or http(s):// URL (default: MERIDIAN_REGISTRY, then `configure --defaults registry=`)',
      ),
    )
    .addOption(
      new Option(
        '-o, --output <format>',
        'json, table, tsv or yaml (default: table on a terminal, json when piped)',
      ).choices(outputFormats),
    )
    .addOption(new Option('--query <jmespath>', 'JMESPath query applied to the result'))
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Exit status: 0 done, 1 the registry refused (its error code is printed), 2 bad usage,
3 registry unreachable, 4 a --wait timed out.
Environment: MERIDIAN_REGISTRY, MERIDIAN_USERNAME and MERIDIAN_PASSWORD (instead of a stored
login), MERIDIAN_CONFIG_DIR (default ~/.meridian), NO_COLOR, DOCKER_CONFIG, REGISTRY_AUTH_FILE.

Example:
  $ meridian login registry.example.com -u admin --password-stdin < password.txt
  $ meridian repository show-tags -n team/app --orderby time_desc --top 5`,
    );

  addLogin(program);
  addConfigure(program);
  addRepository(program);
  addReplication(program);
  addWebhook(program);
  addTokens(program);
  addAdministration(program);
  program
    .command('show-usage')
    .description('storage used in the region the registry address reaches, per repository')
    .addHelpText('after', example('meridian show-usage --registry r.example.com -o table'))
    .action(async (_options, command: Command) =>
      (await import('./commands/usage.command.js')).showUsage(globalsOf(command)),
    );
  program
    .command('completion')
    .description('print a completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      example(
        'source <(meridian completion bash)   # or, in ~/.zshrc: source <(meridian completion zsh)',
      ),
    )
    .action(async (shell: string) => {
      process.stdout.write(
        (await import('./completion-script.js')).completionScript(program, shell),
      );
    });
  return program;
}

function addLogin(program: Command): void {
  program
    .command('login')
    .description(
      'log in: store a refresh token where docker, podman, skopeo and buildah read credentials',
    )
    .argument(
      '[registry]',
      'host[:port] or URL (default: --registry, MERIDIAN_REGISTRY, configured default)',
    )
    .option('-u, --username <user>', 'user name (or MERIDIAN_USERNAME)')
    .option('-p, --password <password>', 'password (prefer --password-stdin; or MERIDIAN_PASSWORD)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--expose-token', 'print the refresh token instead of storing it')
    .addHelpText(
      'after',
      example(
        'echo "$PASSWORD" | meridian login r.example.com -u admin --password-stdin',
        'meridian login r.example.com -u ci-bot -p "$SECRET" --expose-token --query refreshToken',
      ),
    )
    .action(async (registry: string | undefined, options, command: Command) =>
      (await import('./commands/login.command.js')).login(globalsOf(command), registry, options),
    );
  program
    .command('logout')
    .description("remove the registry's credential from docker's and the containers tools' files")
    .argument('[registry]', 'host[:port] or URL')
    .addHelpText('after', example('meridian logout r.example.com'))
    .action(async (registry: string | undefined, _options, command: Command) =>
      (await import('./commands/login.command.js')).logout(globalsOf(command), registry),
    );
}

function addConfigure(program: Command): void {
  program
    .command('configure')
    .description('show or set defaults (stored in ~/.meridian/config.json)')
    .option(
      '--defaults <key=value...>',
      'defaults to store (known: registry); an empty value removes one',
    )
    .addHelpText('after', example('meridian configure --defaults registry=r.example.com'))
    .action(async (options, command: Command) =>
      (await import('./commands/configure.command.js')).configure(globalsOf(command), options),
    );
}

function addRepository(program: Command): void {
  const repository = program
    .command('repository')
    .description("repositories, tags and manifests (ACR's data-plane API, /acr/v1)");
  const load = () => import('./commands/repository.commands.js');

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
    .option('--write-enabled <bool>', 'allow pushes and deletes (true|false)', boolean)
    .option('--delete-enabled <bool>', 'allow deletes (true|false)', boolean)
    .option('--read-enabled <bool>', 'allow pulls (true|false)', boolean)
    .option('--list-enabled <bool>', 'show in listings (true|false)', boolean)
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

function addReplication(program: Command): void {
  const replication = program.command('replication').description('geo-replication across regions');
  const load = () => import('./commands/replication.commands.js');
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
}

function addWebhook(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('webhooks: signed HTTP calls on push, delete, quarantine, scan, pull, quota');
  const load = () => import('./commands/webhook.commands.js');
  const settings = (command: Command) =>
    command
      .option('--uri <url>', 'where to POST the events')
      .option('--actions <a,b>', 'push, delete, quarantine, scan, pull, quota (comma-separated)')
      .option('--scope <repo:tag>', 'only these images (`*` wildcards); empty: everything')
      .option('--headers <name=value...>', 'custom headers sent with every request')
      .addOption(
        new Option('--status <status>', 'enabled or disabled').choices(['enabled', 'disabled']),
      )
      .addOption(
        new Option('--payload-format <format>', 'body format').choices(['acr', 'cloudevents']),
      )
      .option('--region <region>', "the webhook's region (default: the one asked)")
      .option('--secret <secret>', 'the signing secret (default: generated, shown once)');
  settings(
    webhook
      .command('create')
      .description('create or replace a webhook')
      .requiredOption('-n, --name <name>', 'webhook name'),
  )
    .addHelpText(
      'after',
      example(
        'meridian webhook create -n deploy --uri https://ci.example.com/hook --actions push --scope "team/app:*"',
      ),
    )
    .action(async (options, command: Command) =>
      (await load()).create(globalsOf(command), options),
    );
  settings(
    webhook
      .command('update')
      .description("change some of a webhook's settings")
      .requiredOption('-n, --name <name>', 'webhook name'),
  )
    .addHelpText('after', example('meridian webhook update -n deploy --status disabled'))
    .action(async (options, command: Command) =>
      (await load()).update(globalsOf(command), options),
    );
  webhook
    .command('list')
    .description('every webhook')
    .addHelpText('after', example('meridian webhook list -o table'))
    .action(async (_options, command: Command) => (await load()).list(globalsOf(command)));
  for (const [name, description, run] of [
    ['show', "a webhook's settings", 'show'],
    ['delete', 'delete a webhook', 'remove'],
    ['ping', 'send a ping event now', 'ping'],
  ] as const) {
    webhook
      .command(name)
      .description(description)
      .requiredOption('-n, --name <name>', 'webhook name')
      .addHelpText('after', example(`meridian webhook ${name} -n deploy`))
      .action(async (options, command: Command) =>
        (await load())[run](globalsOf(command), options),
      );
  }
  webhook
    .command('list-events')
    .description('the delivery log, newest first')
    .requiredOption('-n, --name <name>', 'webhook name')
    .option('--top <n>', 'at most this many (default 20)', positiveInteger)
    .addHelpText(
      'after',
      example('meridian webhook list-events -n deploy --query "[?state==\'dead\'].id"'),
    )
    .action(async (options, command: Command) =>
      (await load()).listEvents(globalsOf(command), options),
    );
  webhook
    .command('redeliver')
    .description('send a delivery again, with a fresh retry budget')
    .requiredOption('-n, --name <name>', 'webhook name')
    .requiredOption('--id <delivery>', 'the delivery id (from list-events)')
    .addHelpText('after', example('meridian webhook redeliver -n deploy --id 6f1c…'))
    .action(async (options, command: Command) =>
      (await load()).redeliver(globalsOf(command), options),
    );
}

function addTokens(program: Command): void {
  const load = () => import('./commands/token.commands.js');
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

function addAdministration(program: Command): void {
  const load = () => import('./commands/admin.commands.js');
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
    .option('--anonymous-pull <bool>', 'true or false', boolean)
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
    .requiredOption('--enabled <bool>', 'true or false', boolean)
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

function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return Number(value);
}

function boolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('expected true or false');
}

/** the version of the package the CLI is part of (its package.json is above dist/ and src/) */
function version(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const found = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (found.name === 'meridian' && found.version) return found.version;
    } catch {
      // no package.json here: look further up
    }
  }
  return 'unknown';
}
