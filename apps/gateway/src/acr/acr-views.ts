/**
 * How ACR shows what the manifest service answers: a manifest with its image's platform read
 * from its config, and the `Link` to a listing's next page.
 */
import type { AcrManifestInfo, AcrOrderBy } from '@meridian/contracts';
import type { ImagePlatforms } from './image-platforms';

/** ACR's manifest attributes: an image's platform and config type where the config says them. */
export async function manifestView(
  platforms: ImagePlatforms,
  { config, ...manifest }: AcrManifestInfo,
) {
  const platform = config === undefined ? {} : await platforms.of(config);
  return {
    ...manifest,
    ...platform,
    ...(config === undefined ? {} : { configMediaType: config.mediaType }),
  };
}

/** The `Link` to the page after `last`, keeping the listing's order and filter; none at the end. */
export function nextLink(
  path: string,
  n: number,
  last: string | undefined,
  keep: { orderby?: AcrOrderBy; digest?: string } = {},
): Record<string, string> {
  if (last === undefined) return {};
  const query = new URLSearchParams({ n: String(n), last });
  if (keep.orderby !== undefined && keep.orderby !== 'name') query.set('orderby', keep.orderby);
  if (keep.digest !== undefined) query.set('digest', keep.digest);
  return { link: `<${path}?${query.toString()}>; rel="next"` };
}
