/**
 * Debian's version order (deb-version(7), dpkg's verrevcmp): `[epoch:]upstream[-revision]`,
 * compared part by part, alternating runs of non-digits (letters before other characters,
 * `~` before everything, even the end) and runs of digits compared as numbers.
 */
import { InvalidVersionError } from './invalid-version-error';

interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDpkgVersion(version: string): DpkgVersion {
  const text = version.trim();
  if (text === '' || /\s/.test(text))
    throw new InvalidVersionError(`not a Debian version: ${JSON.stringify(version)}`);
  const colon = text.indexOf(':');
  let epoch = 0;
  if (colon !== -1) {
    const epochText = text.slice(0, colon);
    if (!/^\d+$/.test(epochText))
      throw new InvalidVersionError(`not a Debian epoch: ${JSON.stringify(version)}`);
    epoch = Number(epochText);
  }
  const rest = text.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  const upstream = dash === -1 ? rest : rest.slice(0, dash);
  if (upstream === '')
    throw new InvalidVersionError(
      `Debian version without upstream part: ${JSON.stringify(version)}`,
    );
  return { epoch, upstream, revision: dash === -1 ? '' : rest.slice(dash + 1) };
}

export function compareDpkgVersions(a: string, b: string): number {
  const left = parseDpkgVersion(a);
  const right = parseDpkgVersion(b);
  if (left.epoch !== right.epoch) return Math.sign(left.epoch - right.epoch);
  return Math.sign(
    compareParts(left.upstream, right.upstream) || compareParts(left.revision, right.revision),
  );
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isLetter = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/** The weight of one character in a non-digit run; NaN (end of string) weighs 0 like a digit. */
function weight(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === 126 /* ~ */) return -1;
  return code + 256;
}

function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      (i < a.length && !isDigit(a.charCodeAt(i))) ||
      (j < b.length && !isDigit(b.charCodeAt(j)))
    ) {
      const difference = weight(a.charCodeAt(i)) - weight(b.charCodeAt(j));
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    let firstDifference = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}
