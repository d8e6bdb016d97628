/**
 * PEP 440 version order, the order of PyPI: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`
 * with the spelling variants PEP 440 normalises (alpha, c, pre, preview, rev, r, `-N` post,
 * separators, case). The sort key follows the `packaging` library: trailing zeros of the
 * release ignored, a dev release before its pre-releases, a post release after, a local
 * version after the public one.
 */
import { InvalidVersionError } from './invalid-version-error';

const pattern = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' +
    '(\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d+)?)?' +
    '(?:(?:-(\\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\\d+)?))?' +
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

const preReleaseRanks: Record<string, number> = {
  a: 0,
  alpha: 0,
  b: 1,
  beta: 1,
  c: 2,
  rc: 2,
  pre: 2,
  preview: 2,
};

/** One comparable element: numbers, with ±Infinity standing for "absent" where PEP 440 says. */
type KeyPart = number | string | KeyPart[];

export function pep440SortKey(version: string): KeyPart[] {
  const match = pattern.exec(version);
  if (!match) throw new InvalidVersionError(`not a PEP 440 version: ${JSON.stringify(version)}`);
  const [
    ,
    epoch,
    release,
    preLabel,
    preNumber,
    postDash,
    postLabel,
    postNumber,
    devLabel,
    devNumber,
    local,
  ] = match;
  const releaseParts = release!.split('.').map(Number);
  while (releaseParts.length > 1 && releaseParts[releaseParts.length - 1] === 0) releaseParts.pop();
  const hasPost = postDash !== undefined || postLabel !== undefined;
  const pre: KeyPart =
    preLabel !== undefined
      ? [preReleaseRanks[preLabel.toLowerCase()]!, Number(preNumber ?? 0)]
      : !hasPost && devLabel !== undefined
        ? -Infinity
        : Infinity;
  const post: KeyPart = hasPost ? Number(postDash ?? postNumber ?? 0) : -Infinity;
  const dev: KeyPart = devLabel !== undefined ? Number(devNumber ?? 0) : Infinity;
  const localKey: KeyPart =
    local === undefined
      ? -Infinity
      : local
          .toLowerCase()
          .split(/[-_.]/)
          .map((segment) => (/^\d+$/.test(segment) ? [Number(segment), ''] : [-Infinity, segment]));
  return [Number(epoch ?? 0), releaseParts, pre, post, dev, localKey];
}

export function comparePep440(a: string, b: string): number {
  return compareKeys(pep440SortKey(a), pep440SortKey(b));
}

function compareKeys(x: KeyPart, y: KeyPart): number {
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const order = compareKeys(x[i]!, y[i]!);
      if (order !== 0) return order;
    }
    return Math.sign(x.length - y.length);
  }
  // a bare ±Infinity against a tuple: the sentinel decides
  if (Array.isArray(x)) return y === Infinity ? -1 : 1;
  if (Array.isArray(y)) return x === Infinity ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}
