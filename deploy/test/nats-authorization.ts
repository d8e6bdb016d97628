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

/**
 * The same users for the NATS Helm chart's `config.merge.authorization`: the chart turns
 * `<< $VAR >>` into a variable reference, filled from the container's environment
 * (`container.env`, from the Secret meridian-nats-users).
 */
export function helmNatsUsers(region: string): Array<Record<string, unknown>> {
  return meridianServices.map((service) => {
    const { publish, subscribe, allowResponses } = servicePermissions(region, service);
    return {
      user: service,
      password: `<< $${natsPasswordVariable(service)} >>`,
      permissions: {
        publish: { allow: publish },
        subscribe: { allow: subscribe },
        ...(allowResponses ? { allow_responses: true } : {}),
      },
    };
  });
}

/** `helmNatsUsers` as the YAML lines of deploy/k8s/nats/values-<region>.yaml, indented. */
export function renderHelmNatsUsers(region: string, indent: string): string {
  const lines: string[] = [];
  for (const user of helmNatsUsers(region)) {
    const permissions = user['permissions'] as {
      publish: { allow: string[] };
      subscribe: { allow: string[] };
      allow_responses?: boolean;
    };
    lines.push(
      `- user: ${String(user['user'])}`,
      `  password: ${String(user['password'])}`,
      '  permissions:',
      `    publish: { allow: ${JSON.stringify(permissions.publish.allow)} }`,
      `    subscribe: { allow: ${JSON.stringify(permissions.subscribe.allow)} }`,
      ...(permissions.allow_responses ? ['    allow_responses: true'] : []),
    );
  }
  return lines.map((line) => `${indent}${line}`).join('\n');
}

if (require.main === module) {
  const [region = 'us-east', format] = process.argv.slice(2);
  console.log(
    format === 'helm' ? renderHelmNatsUsers(region, '') : renderNatsAuthorization(region),
  );
}
