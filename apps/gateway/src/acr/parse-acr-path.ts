/**
 * The paths of ACR's data-plane reads, validated as `/v2` validates its own before anything
 * is looked up: a repository name by the distribution grammar (no uppercase, no empty or
 * `..` components), a digest by its grammar, and a tag that cannot exist is unknown (404), as
 * a read of one on `/v2` is. Like `/v2`, the path is matched from its
 * end, since a repository name holds slashes:
 *
 *   /acr/v1/_catalog
 *   /acr/v1/{name}
 *   /acr/v1/{name}/_tags             /acr/v1/{name}/_tags/{tag}
 *   /acr/v1/{name}/_manifests        /acr/v1/{name}/_manifests/{digest}
 */
import { RegistryError } from '@meridian/contracts';
import { isDigest, isRepositoryName, isSupportedDigest, isTag } from '@meridian/oci';

export type AcrRoute =
  | { kind: 'catalog' }
  | { kind: 'repository'; name: string }
  | { kind: 'tags'; name: string }
  | { kind: 'tag'; name: string; tag: string }
  | { kind: 'manifests'; name: string }
  | { kind: 'manifest'; name: string; digest: string };

const prefix = '/acr/v1/';

export function parseAcrPath(url: string): AcrRoute {
  const path = decodePath(url.split('?', 1)[0] ?? '');
  if (!path.startsWith(prefix)) throw notFound(path);
  const rest = path.slice(prefix.length);
  if (rest === '_catalog') return { kind: 'catalog' };

  const parts = rest.split('/');
  const last = parts.at(-1) ?? '';
  const beforeLast = parts.at(-2);
  if (last === '_tags') return { kind: 'tags', name: repositoryName(parts.slice(0, -1)) };
  if (last === '_manifests') return { kind: 'manifests', name: repositoryName(parts.slice(0, -1)) };
  if (beforeLast === '_tags') {
    const name = repositoryName(parts.slice(0, -2));
    // as on `/v2`: reading a tag that cannot exist finds nothing
    if (!isTag(last)) throw new RegistryError('MANIFEST_UNKNOWN', 'tag unknown', { tag: last });
    return { kind: 'tag', name, tag: last };
  }
  if (beforeLast === '_manifests') {
    const name = repositoryName(parts.slice(0, -2));
    if (!isDigest(last) || !isSupportedDigest(last)) {
      throw new RegistryError('DIGEST_INVALID', 'invalid or unsupported digest', { digest: last });
    }
    return { kind: 'manifest', name, digest: last };
  }
  if (parts.some((part) => part.startsWith('_'))) throw notFound(path);
  return { kind: 'repository', name: repositoryName(parts) };
}

function repositoryName(parts: string[]): string {
  const name = parts.join('/');
  if (!isRepositoryName(name)) {
    throw new RegistryError('NAME_INVALID', 'invalid repository name', { name });
  }
  return name;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new RegistryError('REQUEST_INVALID', 'the path is not valid percent-encoding');
  }
}

function notFound(path: string): RegistryError {
  return new RegistryError('NOT_FOUND', 'no such API route', { path });
}
