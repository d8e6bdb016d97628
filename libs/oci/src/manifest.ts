/**
 * Validation of pushed manifests: OCI image manifest and image index (image-spec 1.1),
 * Docker image manifest v2 schema 2 and manifest list. The registry stores the exact
 * bytes it was given; this module only decides whether they are acceptable and which
 * content they reference.
 *
 * The media type of a manifest is resolved once, here, because a body read as one type
 * and served as another is how content confusion happens (distribution's fix for
 * CVE-2021-41190): the body's `mediaType` wins; a Content-Type naming a different
 * manifest type is refused; an index must not carry `config`/`layers`, nor an image
 * manifest `manifests`.
 */
import { z } from 'zod';
import { Annotations, MediaType, OciDescriptor } from './descriptor';
import {
  isForeignLayerMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isMediaType,
  isSchema1MediaType,
  isSupportedManifestMediaType,
  mediaTypes,
  normalizeContentType,
} from './media-types';
import { OciValidationError } from './oci-validation-error';
import { findDuplicateKey, findUnstorableString } from './strict-json';

export type ManifestKind = 'manifest' | 'index';

/** A blob an image manifest references: its config or one of its layers. */
export interface ManifestBlob extends OciDescriptor {
  /**
   * A non-distributable layer that names `urls`: its bytes may live only at those URLs,
   * so the registry does not require the blob to exist (as distribution does).
   */
  foreign: boolean;
}

export interface ParsedManifest {
  kind: ManifestKind;
  /** The manifest's own media type: what a GET answers as Content-Type. */
  mediaType: string;
  /**
   * What the referrers API lists this manifest as: its `artifactType`, else, for an
   * image manifest, its config's media type; for an index without one, nothing.
   */
  artifactType?: string;
  subject?: OciDescriptor;
  annotations?: Record<string, string>;
  /** The config descriptor of an image manifest. */
  config?: OciDescriptor;
  /** Config first, then layers in order; empty for an index. */
  blobs: ManifestBlob[];
  /** The child manifests of an index; empty for an image manifest. */
  manifests: OciDescriptor[];
}

const ImageManifestBody = z.object({
  schemaVersion: z.literal(2),
  artifactType: MediaType.optional(),
  config: OciDescriptor,
  layers: z.array(OciDescriptor),
  subject: OciDescriptor.optional(),
  annotations: Annotations.optional(),
});

const IndexBody = z.object({
  schemaVersion: z.literal(2),
  artifactType: MediaType.optional(),
  manifests: z.array(OciDescriptor),
  subject: OciDescriptor.optional(),
  annotations: Annotations.optional(),
});

/**
 * Parses and validates a manifest body. `contentType` is the request's Content-Type
 * header, if any. Throws OciValidationError('MANIFEST_INVALID') with a message naming
 * the first problem and `detail.issues` listing them all.
 */
export function parseManifest(body: Uint8Array, contentType?: string): ParsedManifest {
  const json = decodeJsonObject(body);
  const declared = declaredMediaType(json);
  const header = normalizeContentType(contentType);
  refuseLegacy(json, declared, header);

  const mediaType = resolveMediaType(json, declared, header);
  const kind = kindOf(json, mediaType);
  checkShape(json, kind, mediaType);

  if (
    (mediaType === mediaTypes.dockerManifest || mediaType === mediaTypes.dockerManifestList) &&
    declared === undefined
  ) {
    throw invalid(`a Docker schema 2 manifest must declare its mediaType (${mediaType})`);
  }
  return kind === 'index' ? parseIndex(json, mediaType) : parseImageManifest(json, mediaType);
}

function decodeJsonObject(body: Uint8Array): Record<string, unknown> {
  let json: unknown;
  let text: string;
  try {
    // fatal: invalid UTF-8 is an error; ignoreBOM keeps a BOM in the text so JSON.parse
    // refuses it, as Go clients would on pull.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    json = JSON.parse(text);
  } catch {
    throw invalid('manifest is not valid UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid('manifest must be a JSON object');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw invalid('manifest gives a key twice in one object', { key: duplicate });
  }
  if (findUnstorableString(json) !== undefined) {
    throw invalid('manifest strings may not contain NUL or unpaired surrogates');
  }
  return json as Record<string, unknown>;
}

function declaredMediaType(json: Record<string, unknown>): string | undefined {
  const value = json.mediaType;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isMediaType(value)) {
    throw invalid('manifest mediaType must be a media type string', { mediaType: value });
  }
  return value;
}

function refuseLegacy(
  json: Record<string, unknown>,
  declared: string | undefined,
  header: string | undefined,
): void {
  if (
    json.schemaVersion === 1 ||
    (declared !== undefined && isSchema1MediaType(declared)) ||
    (header !== undefined && isSchema1MediaType(header))
  ) {
    throw invalid(
      'Docker schema 1 manifests are not supported: push a Docker schema 2 or OCI manifest',
    );
  }
  if (declared === mediaTypes.ociArtifactManifest || header === mediaTypes.ociArtifactManifest) {
    throw invalid(
      'the OCI artifact manifest was dropped from image-spec 1.1: push an image manifest with artifactType',
    );
  }
  if (json.schemaVersion !== 2) {
    throw invalid('manifest schemaVersion must be 2', { schemaVersion: json.schemaVersion });
  }
}

/**
 * The body's mediaType, when present, is the truth; a Content-Type that names another
 * manifest type contradicts it. Other Content-Types (`application/json`,
 * `application/octet-stream`) say nothing about the manifest and are ignored.
 */
function resolveMediaType(
  json: Record<string, unknown>,
  declared: string | undefined,
  header: string | undefined,
): string {
  const headerNamesManifest = header !== undefined && isSupportedManifestMediaType(header);
  if (declared !== undefined) {
    if (headerNamesManifest && header !== declared) {
      throw invalid(`Content-Type ${header} does not match the manifest mediaType ${declared}`, {
        contentType: header,
        mediaType: declared,
      });
    }
    return declared;
  }
  if (headerNamesManifest) return header;
  return inferMediaType(json);
}

/** What distribution does for a body without a mediaType: judge by its fields. */
function inferMediaType(json: Record<string, unknown>): string {
  const hasManifests = 'manifests' in json;
  const hasImageFields = 'config' in json || 'layers' in json;
  if (hasManifests && !hasImageFields) return mediaTypes.ociIndex;
  if (hasImageFields && !hasManifests) return mediaTypes.ociManifest;
  throw invalid(
    'cannot tell the manifest type: declare mediaType, or send an image manifest (config, layers) or an index (manifests)',
  );
}

function kindOf(json: Record<string, unknown>, mediaType: string): ManifestKind {
  if (isIndexMediaType(mediaType)) return 'index';
  if (isManifestMediaType(mediaType)) return 'manifest';
  // An unknown type shaped as an image manifest is an artifact some tool packaged in
  // its own manifest type; anything else is not something Meridian can validate.
  if ('config' in json && !('manifests' in json)) return 'manifest';
  throw invalid(`unsupported manifest media type ${mediaType}`, { mediaType });
}

function checkShape(json: Record<string, unknown>, kind: ManifestKind, mediaType: string): void {
  if (kind === 'index' && ('config' in json || 'layers' in json)) {
    throw invalid(`a manifest of type ${mediaType} must not have config or layers`, { mediaType });
  }
  if (kind === 'manifest' && 'manifests' in json) {
    throw invalid(`a manifest of type ${mediaType} must not have manifests`, { mediaType });
  }
}

function parseImageManifest(json: Record<string, unknown>, mediaType: string): ParsedManifest {
  const manifest = validate(ImageManifestBody, json);
  const layers = manifest.layers.map((layer, index) => toLayer(layer, index, mediaType));
  const parsed: ParsedManifest = {
    kind: 'manifest',
    mediaType,
    config: manifest.config,
    blobs: [{ ...manifest.config, foreign: false }, ...layers],
    manifests: [],
  };
  // Docker schema 2 has no subject, artifactType or annotations: fields a client added
  // stay in the stored bytes but mean nothing to the registry.
  if (mediaType === mediaTypes.dockerManifest) return parsed;
  return withOptionals(parsed, {
    // distribution-spec "Listing Referrers": artifactType, else the config's media type.
    artifactType: manifest.artifactType ?? manifest.config.mediaType,
    subject: manifest.subject,
    annotations: manifest.annotations,
  });
}

function parseIndex(json: Record<string, unknown>, mediaType: string): ParsedManifest {
  const index = validate(IndexBody, json);
  const parsed: ParsedManifest = {
    kind: 'index',
    mediaType,
    blobs: [],
    manifests: index.manifests,
  };
  if (mediaType === mediaTypes.dockerManifestList) return parsed;
  return withOptionals(parsed, {
    artifactType: index.artifactType,
    subject: index.subject,
    annotations: index.annotations,
  });
}

function toLayer(layer: OciDescriptor, index: number, manifestType: string): ManifestBlob {
  if (!isForeignLayerMediaType(layer.mediaType)) return { ...layer, foreign: false };
  const urls = layer.urls ?? [];
  if (urls.length === 0 && manifestType === mediaTypes.dockerManifest) {
    // Docker foreign layers exist only at their URLs (distribution refuses them without).
    throw invalid(`layers[${index}]: a foreign layer must list urls`);
  }
  for (const url of urls) {
    if (!isFetchableUrl(url)) {
      throw invalid(`layers[${index}].urls: ${url} is not an http or https URL without fragment`, {
        url,
      });
    }
  }
  return { ...layer, foreign: urls.length > 0 };
}

function isFetchableUrl(value: string): boolean {
  if (value.includes('#') || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** Leaves absent optionals out of the result rather than present as undefined. */
function withOptionals(
  parsed: ParsedManifest,
  optionals: Pick<ParsedManifest, 'artifactType' | 'subject' | 'annotations'>,
): ParsedManifest {
  const present = Object.entries(optionals).filter(([, value]) => value !== undefined);
  return { ...parsed, ...Object.fromEntries(present) };
}

function validate<T>(schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const first = issues[0];
  throw invalid(first.path === '' ? first.message : `${first.path}: ${first.message}`, { issues });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
}

function invalid(message: string, detail?: unknown): OciValidationError {
  return new OciValidationError('MANIFEST_INVALID', message, detail);
}
