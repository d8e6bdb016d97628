/**
 * `meridian replication create | show | delete | list | status | lag`
 * (commands/replication.commands.ts), ACR's `az acr replication`.
 */
import type { Command } from 'commander';
import { example, globalsOf } from './command-options';

export function addReplication(program: Command): void {
  const replication = program.command('replication').description('geo-replication across regions');
  const load = () => import('../commands/replication.commands.js');
  replication
    .command('create')
    .description('add a region to the registry (or change its store); it backfills what is stored')
    .argument('<region>', 'the region id, e.g. ap-south')
    .option('--nats-domain <domain>', "the region's JetStream domain (default: the region id)")
    .option('--storage-path <dir>', "the region's filesystem store, as the other regions see it")
    .option('--s3-endpoint <url>', "the region's S3 store: its endpoint")
    .option('--s3-bucket <bucket>', 'its bucket')
    .option('--s3-region <region>', 'its S3 region (default us-east-1)')
    .option('--s3-access-key-id <id>', 'an access key reading the bucket')
    .option('--s3-secret-access-key <secret>', 'its secret (kept sealed, never shown)')
    .option('--s3-force-path-style', 'address the bucket by path')
    .option('--wait', 'wait until the region is ready (its backfill done)')
    .option('--timeout <duration>', 'give up waiting after this long (exit 4)', '10m')
    .option('--interval <duration>', 'how often to ask while waiting', '2s')
    .addHelpText(
      'after',
      example(
        'meridian replication create ap-south --storage-path /srv/meridian/ap-south/store --wait',
        'meridian replication create ap-south --s3-endpoint https://s3.ap-south.example --s3-bucket meridian --s3-access-key-id AK --s3-secret-access-key SK',
      ),
    )
    .action(async (region: string, options, command: Command) =>
      (await load()).create(globalsOf(command), region, options),
    );
  replication
    .command('show')
    .description('a replication: its status, store and lag')
    .argument('<region>')
    .action(async (region: string, _options, command: Command) =>
      (await load()).show(globalsOf(command), region),
    );
  replication
    .command('delete')
    .description('remove a region from the registry (not the one called); its data stays')
    .argument('<region>')
    .action(async (region: string, _options, command: Command) =>
      (await load()).remove(globalsOf(command), region),
    );
  replication
    .command('list')
    .description('each replication with its status, and the link to each peer region')
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
  replication
    .command('lag')
    .description("each peer link's lag and events pending as sampled over the last minutes")
    .option('--minutes <n>', 'how far back, 1 to 1440', '60')
    .addHelpText('after', example('meridian replication lag --minutes 15 -o table'))
    .action(async (options: { minutes: string }, command: Command) =>
      (await load()).lag(globalsOf(command), options),
    );
}
