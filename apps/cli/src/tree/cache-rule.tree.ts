/**
 * `meridian cache-rule …` (commands/cache-rule.commands.ts): the pull-through cache's rules,
 * ACR's `az acr cache`.
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addCacheRule(program: Command): void {
  const load = () => import('../commands/cache-rule.commands.js');
  const rules = program
    .command('cache-rule')
    .description('repositories pulled through from an upstream registry, and kept as pushed');
  rules
    .command('create')
    .description('create or replace a cache rule')
    .argument('<name>', 'lowercase letters, digits and dashes')
    .option('--source <host[:port]/repository[/*]>', 'the upstream repository, or namespace/*')
    .option('--target <repository[/*]>', 'the repository of this registry, or namespace/*')
    .option('--credential-set <name>', 'log in to the upstream with this saved credential set')
    .option(
      '--tag-ttl <duration>',
      'how long a cached tag is served before it is checked again',
      '1h',
    )
    .addHelpText(
      'after',
      example(
        'meridian cache-rule create hub --source registry-1.docker.io/library/* --target hub/library/* --credential-set hub',
        'meridian cache-rule create app --source ghcr.io/org/app --target mirror/app --tag-ttl 10m',
      ),
    )
    .action(async (name: string, options, command: Command) =>
      (await load()).create(globalsOf(command), name, options),
    );
  rules
    .command('show')
    .description('a cache rule: its source, target, credential set and tag TTL')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), name),
    );
  rules
    .command('list')
    .description('every cache rule of the region')
    .action(async (_options, command: Command) => (await load()).list(globalsOf(command)));
  rules
    .command('delete')
    .description('delete a cache rule (what it cached stays)')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) =>
      (await load()).remove(globalsOf(command), name),
    );
}
