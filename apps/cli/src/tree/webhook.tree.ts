/**
 * `meridian webhook …` (commands/webhook.commands.ts).
 */
import { type Command, Option } from 'commander';
import { example, globalsOf, positiveInteger } from './command-options';

export function addWebhook(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('webhooks: signed HTTP calls on push, delete, quarantine, scan, pull, quota');
  const load = () => import('../commands/webhook.commands.js');
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
