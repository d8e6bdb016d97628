/**
 * `meridian repository …`, az acr's repository group, over ACR's data-plane API
 * (`/acr/v1`, the gateway's acr.controller.ts): list, show, show-tags, show-manifests, and
 * the writes update (changeable attributes: locks), delete and untag. Listings follow the
 * registry's `Link` pages; `--top` stops early. The token scope of each request is the
 * one ACR names (`metadata_read`, `metadata_write`, `delete`).
 */
import { createInterface } from 'node:readline/promises';
import type { ChangeableAttributes } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { TableColumn } from '../output/render-output';
import type { AcrManifestView, AcrRepositoryView, AcrTagView } from './acr-views';
import {
  type ImageReference,
  checkedRepository,
  parseImageReference,
} from '../parse-image-reference';

export type OrderBy = 'time_desc' | 'time_asc';

const orderByParam: Record<OrderBy, string> = { time_desc: 'timedesc', time_asc: 'timeasc' };

const scope = {
  catalog: 'registry:catalog:*',
  read: (repository: string) => `repository:${repository}:metadata_read`,
  write: (repository: string) => `repository:${repository}:metadata_write`,
  delete: (repository: string) => `repository:${repository}:delete`,
};

const attributeColumns: TableColumn[] = [
  { header: 'Write', path: 'changeableAttributes.writeEnabled' },
  { header: 'Delete', path: 'changeableAttributes.deleteEnabled' },
  { header: 'Read', path: 'changeableAttributes.readEnabled' },
  { header: 'List', path: 'changeableAttributes.listEnabled' },
];

const repositoryColumns: TableColumn[] = [
  { header: 'Name', path: 'imageName' },
  { header: 'Manifests', path: 'manifestCount' },
  { header: 'Tags', path: 'tagCount' },
  { header: 'LastUpdateTime', path: 'lastUpdateTime' },
  ...attributeColumns,
];

const tagColumns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'Digest', path: 'digest' },
  { header: 'LastUpdateTime', path: 'lastUpdateTime' },
  ...attributeColumns,
];

const manifestColumns: TableColumn[] = [
  { header: 'Digest', path: 'digest' },
  { header: 'Tags', path: 'tags' },
  { header: 'Size', path: 'imageSize' },
  { header: 'Platform', path: 'platform' },
  { header: 'LastUpdateTime', path: 'lastUpdateTime' },
  ...attributeColumns,
];

export async function list(globals: GlobalOptions, options: { top?: number }): Promise<void> {
  const client = await connect(globals);
  const repositories = await client.collect<string>(
    '/acr/v1/_catalog',
    (page) => (page as { repositories?: string[] }).repositories ?? [],
    { scope: scope.catalog, ...pageOptions(options.top) },
  );
  print(repositories, globals);
}

export async function show(
  globals: GlobalOptions,
  options: { name?: string; image?: string },
): Promise<void> {
  const target = targetOf(options);
  const client = await connect(globals);
  if (target.image === undefined) {
    const { body } = await client.request<AcrRepositoryView>(repositoryPath(target.repository), {
      scope: scope.read(target.repository),
    });
    print(body, globals, { columns: repositoryColumns });
  } else if (target.image.tag !== undefined) {
    const { body } = await client.request<{ tag: AcrTagView }>(
      tagPath(target.repository, target.image.tag),
      {
        scope: scope.read(target.repository),
      },
    );
    print(body.tag, globals, { columns: tagColumns });
  } else {
    const { body } = await client.request<{ manifest: AcrManifestView }>(
      manifestPath(target.repository, target.image.digest),
      { scope: scope.read(target.repository) },
    );
    print(body.manifest, globals, { columns: manifestColumns, rows: withPlatform });
  }
}

export async function showTags(
  globals: GlobalOptions,
  options: { name: string; orderby?: OrderBy; top?: number; detail?: boolean },
): Promise<void> {
  const repository = checkedRepository(options.name);
  const client = await connect(globals);
  const tags = await client.collect<AcrTagView>(
    `${repositoryPath(repository)}/_tags`,
    (page) => (page as { tags?: AcrTagView[] }).tags ?? [],
    {
      scope: scope.read(repository),
      ...pageOptions(options.top, options.orderby),
    },
  );
  // as az: the names, unless --detail asks for the whole records
  if (options.detail) print(tags, globals, { columns: tagColumns });
  else
    print(
      tags.map((tag) => tag.name),
      globals,
    );
}

export async function showManifests(
  globals: GlobalOptions,
  options: { name: string; orderby?: OrderBy; top?: number },
): Promise<void> {
  const repository = checkedRepository(options.name);
  const client = await connect(globals);
  const manifests = await client.collect<AcrManifestView>(
    `${repositoryPath(repository)}/_manifests`,
    (page) => (page as { manifests?: AcrManifestView[] }).manifests ?? [],
    { scope: scope.read(repository), ...pageOptions(options.top, options.orderby) },
  );
  print(manifests, globals, { columns: manifestColumns, rows: withPlatform });
}

export type AttributeFlags = Partial<ChangeableAttributes>;

export async function update(
  globals: GlobalOptions,
  options: { name?: string; image?: string } & AttributeFlags,
): Promise<void> {
  const target = targetOf(options);
  const attributes: AttributeFlags = {};
  for (const key of ['writeEnabled', 'deleteEnabled', 'readEnabled', 'listEnabled'] as const) {
    if (options[key] !== undefined) attributes[key] = options[key];
  }
  if (Object.keys(attributes).length === 0) {
    throw usageError(
      'nothing to update: give --write-enabled, --delete-enabled, --read-enabled or --list-enabled',
    );
  }
  const client = await connect(globals);
  const path =
    target.image === undefined ? repositoryPath(target.repository) : imagePath(target.image);
  const { body } = await client.request<unknown>(path, {
    method: 'PATCH',
    body: attributes,
    scope: scope.write(target.repository),
  });
  print(unwrapItem(body), globals, {
    columns:
      target.image === undefined
        ? repositoryColumns
        : target.image.tag
          ? tagColumns
          : manifestColumns,
  });
}

/**
 * `--name`: the whole repository; `--image repo@digest`: that manifest and its tags;
 * `--image repo:tag`: the manifest the tag points to (and its tags), as az deletes it.
 */
export async function remove(
  globals: GlobalOptions,
  options: { name?: string; image?: string; yes?: boolean },
): Promise<void> {
  const target = targetOf(options);
  const client = await connect(globals);
  let path: string;
  let what: string;
  if (target.image === undefined) {
    path = repositoryPath(target.repository);
    what = `repository ${target.repository} (every manifest and tag, in every region)`;
  } else {
    const digest =
      target.image.digest ??
      (
        await client.request<{ tag: AcrTagView }>(imagePath(target.image), {
          scope: scope.read(target.repository),
        })
      ).body.tag.digest;
    path = manifestPath(target.repository, digest);
    what = `manifest ${target.repository}@${digest} and every tag pointing to it`;
  }
  await confirm(`Delete ${what}?`, options.yes);
  await client.request<unknown>(path, { method: 'DELETE', scope: scope.delete(target.repository) });
  process.stderr.write(`Deleted ${what}\n`);
}

export async function untag(globals: GlobalOptions, options: { image: string }): Promise<void> {
  const image = parseImageReference(options.image);
  if (image.tag === undefined) throw usageError('untag takes repository:tag');
  const client = await connect(globals);
  await client.request<unknown>(tagPath(image.repository, image.tag), {
    method: 'DELETE',
    scope: scope.delete(image.repository),
  });
  process.stderr.write(`Untagged ${image.repository}:${image.tag}\n`);
}

interface Target {
  repository: string;
  image?: ImageReference;
}

/** `--name repo` or `--image repo:tag|repo@digest` (not both naming different repositories) */
function targetOf(options: { name?: string; image?: string }): Target {
  if (options.image !== undefined) {
    const image = parseImageReference(options.image);
    if (options.name !== undefined && options.name !== image.repository) {
      throw usageError(
        `--name ${options.name} and --image ${options.image} name different repositories`,
      );
    }
    return { repository: image.repository, image };
  }
  if (options.name === undefined) throw usageError('give --name <repository> or --image <image>');
  return { repository: checkedRepository(options.name) };
}

function repositoryPath(repository: string): string {
  return `/acr/v1/${repository}`;
}

function tagPath(repository: string, tag: string): string {
  return `/acr/v1/${repository}/_tags/${encodeURIComponent(tag)}`;
}

function manifestPath(repository: string, digest: string): string {
  return `/acr/v1/${repository}/_manifests/${digest}`;
}

/** the path of a tag or a manifest */
function imagePath(image: ImageReference): string {
  return image.tag !== undefined
    ? tagPath(image.repository, image.tag)
    : manifestPath(image.repository, image.digest);
}

function pageOptions(top: number | undefined, orderby?: OrderBy) {
  return {
    ...(top !== undefined ? { limit: top } : {}),
    query: {
      ...(top !== undefined ? { n: Math.min(top, 1000) } : {}),
      ...(orderby !== undefined ? { orderby: orderByParam[orderby] } : {}),
    },
  };
}

/** ACR answers a tag or manifest wrapped as `{registry, imageName, tag|manifest}` */
function unwrapItem(body: unknown): unknown {
  if (body !== null && typeof body === 'object') {
    const { tag, manifest } = body as { tag?: unknown; manifest?: unknown };
    if (tag !== undefined && typeof tag === 'object') return tag;
    if (manifest !== undefined && typeof manifest === 'object') return manifest;
  }
  return body;
}

function withPlatform(result: unknown): unknown {
  const rows = Array.isArray(result) ? result : [result];
  return rows.map((row: Partial<AcrManifestView>) => ({
    ...row,
    platform: row.os && row.architecture ? `${row.os}/${row.architecture}` : '',
  }));
}

async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw usageError(`${question} Pass --yes to confirm`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw usageError('not confirmed: nothing deleted');
  } finally {
    prompt.close();
  }
}
