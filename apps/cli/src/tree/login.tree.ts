/**
 * `meridian login`, `logout` and `configure`: where credentials and defaults come from.
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addLogin(program: Command): void {
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
      (await import('../commands/login.command.js')).login(globalsOf(command), registry, options),
    );
  program
    .command('logout')
    .description("remove the registry's credential from docker's and the containers tools' files")
    .argument('[registry]', 'host[:port] or URL')
    .addHelpText('after', example('meridian logout r.example.com'))
    .action(async (registry: string | undefined, _options, command: Command) =>
      (await import('../commands/login.command.js')).logout(globalsOf(command), registry),
    );
}

export function addConfigure(program: Command): void {
  program
    .command('configure')
    .description('show or set defaults (stored in ~/.meridian/config.json)')
    .option(
      '--defaults <key=value...>',
      'defaults to store (known: registry); an empty value removes one',
    )
    .addHelpText('after', example('meridian configure --defaults registry=r.example.com'))
    .action(async (options, command: Command) =>
      (await import('../commands/configure.command.js')).configure(globalsOf(command), options),
    );
}
