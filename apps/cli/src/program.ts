/**
 * The command tree of `meridian`, with commander: the root and its global options here,
 * each command group's commands, flags, help and example in tree/. Only commander loads
 * with them; each command's module (HTTP client, renderers, tables, progress bars,
 * JMESPath, YAML) is imported when that command runs, so `--help` starts in tens of
 * milliseconds.
 *
 * Global options (`--registry`, `--output`, `--query`) are declared on the root and read
 * anywhere on the line (`optsWithGlobals`). Commander's own errors (an unknown flag, a
 * missing argument) come back to main.ts as CommanderError instead of ending the process,
 * to be printed in the CLI's one-line form with exit status 2.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { addAdministration } from './tree/administration.tree';
import { addConfig } from './tree/config.tree';
import { addDeleted } from './tree/deleted.tree';
import { example, globalsOf } from './tree/command-options';
import { addConfigure, addLogin } from './tree/login.tree';
import { addCacheRule } from './tree/cache-rule.tree';
import { addImport } from './tree/import.tree';
import { addPurge } from './tree/purge.tree';
import { addGc } from './tree/gc.tree';
import { addReplication } from './tree/replication.tree';
import { addRepository } from './tree/repository.tree';
import { addScrub } from './tree/scrub.tree';
import { addTokens } from './tree/tokens.tree';
import { addWebhook } from './tree/webhook.tree';

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
  addPurge(program);
  addGc(program);
  addScrub(program);
  addImport(program);
  addCacheRule(program);
  addTokens(program);
  addAdministration(program);
  addConfig(program);
  addDeleted(program);
  program
    .command('show-usage')
    .description('storage used in the region the registry address reaches, per repository')
    .option('--all-regions', 'every region of the registry, each asked across the region links')
    .addHelpText('after', example('meridian show-usage --all-regions -o table'))
    .action(async (options: { allRegions?: boolean }, command: Command) =>
      (await import('./commands/usage.command.js')).showUsage(globalsOf(command), options),
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
