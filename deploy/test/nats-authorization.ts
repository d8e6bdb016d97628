/**
 * The `authorization` block of a region's NATS server in docker compose and Kubernetes,
 * from the permissions table the embedded default uses (libs/contracts nats-permissions.ts):
 * one user per service, its password read from the server's environment
 * (`$NATS_<SERVICE>_PASSWORD`, which compose and the Helm release fill from secrets). The
 * deployment checks compare the checked-in configs with it, so a permission added to the
 * table and forgotten in a deployment fails them. `npx ts-node`-free regeneration:
 *   node -r @swc-node/register deploy/test/nats-authorization.ts us-east
 */
import { meridianServices, servicePermissions } from '@meridian/contracts';

/** The server's environment variable holding `service`'s password. */
export function natsPasswordVariable(service: string): string {
  return `NATS_${service.toUpperCase()}_PASSWORD`;
}

export function renderNatsAuthorization(region: string, indent = ''): string {
  const list = (values: readonly string[]) =>
    `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const lines = ['authorization {', '  users: ['];
  for (const service of meridianServices) {
    const { publish, subscribe, allowResponses } = servicePermissions(region, service);
    lines.push(
      `    { user: "${service}", password: $${natsPasswordVariable(service)}, permissions: {`,
      `        publish: { allow: ${list(publish)} }`,
      `        subscribe: { allow: ${list(subscribe)} }`,
      ...(allowResponses ? ['        allow_responses: true'] : []),
      '    } }',
    );
  }
  lines.push('  ]', '}');
  return lines.map((line) => `${indent}${line}`).join('\n');
}

if (require.main === module) console.log(renderNatsAuthorization(process.argv[2] ?? 'us-east'));
