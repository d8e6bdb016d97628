/**
 * `meridian webhook …`, az acr's webhook group, over the management API
 * (`/api/v1/webhooks`, Owner or Contributor; the gateway's webhooks.controller.ts). A
 * webhook created without `--secret` gets one generated, printed in `create`'s answer and
 * never again.
 */
import type { DeliveryView, WebhookView } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { TableColumn } from '../output/render-output';

const webhookColumns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'Region', path: 'region' },
  { header: 'ServiceUri', path: 'serviceUri' },
  { header: 'Actions', path: 'actions' },
  { header: 'Scope', path: 'scope' },
  { header: 'Status', path: 'status' },
];

export interface WebhookFlags {
  name: string;
  uri?: string;
  actions?: string;
  scope?: string;
  headers?: string[];
  status?: string;
  payloadFormat?: string;
  region?: string;
  secret?: string;
}

export async function create(globals: GlobalOptions, flags: WebhookFlags): Promise<void> {
  if (!flags.uri || !flags.actions) throw usageError('create needs --uri and --actions');
  const client = await connect(globals);
  const { body } = await client.request<WebhookView & { secret?: string }>(
    webhookPath(flags.name),
    {
      method: 'PUT',
      body: settingsOf(flags),
    },
  );
  print(body, globals, { columns: [...webhookColumns, { header: 'Secret', path: 'secret' }] });
}

export async function update(globals: GlobalOptions, flags: WebhookFlags): Promise<void> {
  const settings = settingsOf(flags);
  if (Object.keys(settings).length === 0) throw usageError('nothing to update');
  const client = await connect(globals);
  const { body } = await client.request<WebhookView>(webhookPath(flags.name), {
    method: 'PATCH',
    body: settings,
  });
  print(body, globals, { columns: webhookColumns });
}

export async function list(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ webhooks: WebhookView[] }>('/api/v1/webhooks');
  print(body.webhooks, globals, { columns: webhookColumns });
}

export async function show(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<WebhookView>(webhookPath(flags.name));
  print(body, globals, { columns: webhookColumns });
}

export async function remove(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  await client.request<unknown>(webhookPath(flags.name), { method: 'DELETE' });
  process.stderr.write(`Deleted webhook ${flags.name}\n`);
}

export async function ping(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ id: string; eventId: string }>(
    `${webhookPath(flags.name)}/ping`,
    { method: 'POST' },
  );
  print(body, globals);
}

export async function listEvents(
  globals: GlobalOptions,
  flags: { name: string; top?: number },
): Promise<void> {
  const client = await connect(globals);
  const limit = flags.top ?? 20;
  const deliveries: DeliveryView[] = [];
  let last: string | undefined;
  // the log pages by a `next` id in the body (newest first)
  do {
    const { body } = await client.request<{ deliveries: DeliveryView[]; next?: string }>(
      `${webhookPath(flags.name)}/events`,
      { query: { n: Math.min(limit - deliveries.length, 100), last } },
    );
    deliveries.push(...body.deliveries);
    last = body.next;
  } while (last !== undefined && deliveries.length < limit);
  print(deliveries.slice(0, limit), globals, {
    columns: [
      { header: 'Id', path: 'id' },
      { header: 'Action', path: 'action' },
      { header: 'State', path: 'state' },
      { header: 'Attempts', path: 'attempts' },
      { header: 'LastStatus', path: 'lastStatus' },
      { header: 'CreatedAt', path: 'createdAt' },
    ],
    rows: (result) =>
      (result as DeliveryView[]).map((delivery) => ({
        ...delivery,
        // the log is newest first
        lastStatus: delivery.log[0]?.response?.status ?? delivery.lastError,
      })),
  });
}

export async function redeliver(
  globals: GlobalOptions,
  flags: { name: string; id: string },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ id: string; eventId: string }>(
    `${webhookPath(flags.name)}/events/${encodeURIComponent(flags.id)}/redeliver`,
    { method: 'POST' },
  );
  print(body, globals);
}

function webhookPath(name: string): string {
  return `/api/v1/webhooks/${encodeURIComponent(name)}`;
}

/** the flags given, in the API's names; `--headers k=v` pairs become customHeaders */
function settingsOf(flags: WebhookFlags): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (flags.uri !== undefined) settings['serviceUri'] = flags.uri;
  if (flags.actions !== undefined) {
    settings['actions'] = flags.actions.split(',').map((action) => action.trim());
  }
  if (flags.scope !== undefined) settings['scope'] = flags.scope;
  if (flags.status !== undefined) settings['status'] = flags.status;
  if (flags.payloadFormat !== undefined) settings['payloadFormat'] = flags.payloadFormat;
  if (flags.region !== undefined) settings['region'] = flags.region;
  if (flags.secret !== undefined) settings['secret'] = flags.secret;
  if (flags.headers !== undefined) {
    settings['customHeaders'] = Object.fromEntries(
      flags.headers.map((pair) => {
        const equals = pair.indexOf('=');
        if (equals <= 0) throw usageError(`--headers takes name=value, not "${pair}"`);
        return [pair.slice(0, equals), pair.slice(equals + 1)];
      }),
    );
  }
  return settings;
}
