/**
 * `meridian import …` with `import show` (commands/import.commands.ts), with the flags of
 * `az acr import`, and `meridian credential-set …` (commands/credential-set.commands.ts).
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addImport(program: Command): void {
  const load = () => import('../commands/import.commands.js');
  const imports = program
    .command('import')
    .description('copy an image from another registry (or a repository of this one) into this one')
    .argument(
      '<source>',
      'host[:port]/repository:tag, host[:port]/repository@digest, or repository:tag',
    )
    .option(
      '-t, --target <repository[:tag]>',
      "where the image lands (without a tag: the source's); repeatable",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--credential-set <name>', 'log in to the source with this saved credential set')
    .option('-u, --username <user>', 'log in to the source as this user (with --password-stdin)')
    .option('--password-stdin', "read the source's password from stdin")
    .option('--ca-bundle <file>', "PEM certificates the source's HTTPS must chain to")
    .option('--force', 'overwrite a target tag that points to another image')
    .option('--no-all-platforms', "of an index, import only --platform's image")
    .option('--platform <os/arch>', 'the platform imported with --no-all-platforms', 'linux/amd64')
    .option('--wait', 'wait until the job is done, with a progress bar of bytes and blobs')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '30m')
    .option('--interval <duration>', 'how often to ask while waiting', '1s')
    .addHelpText(
      'after',
      example(
        'meridian import registry.example.com/library/alpine:3.20 --target base/alpine:3.20 --wait',
        'meridian import ghcr.io/org/app@sha256:… -t apps/app:1.4 -t apps/app:stable --credential-set ghcr',
        'meridian import team/app:1.4 --target release/app:1.4   # from this registry: nothing copied',
      ),
    )
    .action(async (source: string, options, command: Command) =>
      (await load()).start(globalsOf(command), source, options),
    );
  imports
    .command('show')
    .description('an import job: its state, bytes and blobs done, and why it failed')
    .argument('<id>', 'the job id `meridian import` printed')
    .action(async (id: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), id),
    );

  const sets = program
    .command('credential-set')
    .description('saved logins for the registries imports copy from; secrets are never shown');
  const loadSets = () => import('../commands/credential-set.commands.js');
  sets
    .command('put')
    .description('create or replace a credential set')
    .argument('<name>', 'lowercase letters, digits and dashes')
    .option('-u, --username <user>', 'the user (with --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--token-stdin', 'read a bearer token from stdin instead')
    .addHelpText(
      'after',
      example(
        'echo "$HUB_TOKEN" | meridian credential-set put hub -u me --password-stdin',
        'echo "$GHCR_TOKEN" | meridian credential-set put ghcr --token-stdin',
      ),
    )
    .action(async (name: string, options, command: Command) =>
      (await loadSets()).put(globalsOf(command), name, options),
    );
  sets
    .command('show')
    .description('a credential set: its kind, user and when it changed')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) =>
      (await loadSets()).show(globalsOf(command), name),
    );
  sets
    .command('list')
    .description('every credential set')
    .action(async (_options, command: Command) => (await loadSets()).list(globalsOf(command)));
  sets
    .command('delete')
    .description('delete a credential set')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) =>
      (await loadSets()).remove(globalsOf(command), name),
    );
}
