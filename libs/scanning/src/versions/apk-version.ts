/**
 * Alpine's version order, as apk-tools compares (src/version.c): numbers separated by dots,
 * an optional letter, `_suffix[N]` parts (alpha < beta < pre < rc < none < cvs < svn < git
 * < hg < p), and `-rN`. When one version runs out or changes kind first, the one going on
 * with a number beats a letter, which beats a suffix, then a revision, then the end; a
 * pre-release suffix always loses.
 */
import { InvalidVersionError } from './invalid-version-error';

const enum Kind {
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  Revision = 5,
  End = 6,
}

interface Token {
  kind: Kind;
  text: string;
  /** suffix rank, or the number of a suffix/revision */
  value: number;
}

const suffixRanks: Record<string, number> = {
  alpha: -4,
  beta: -3,
  pre: -2,
  rc: -1,
  cvs: 1,
  svn: 2,
  git: 3,
  hg: 4,
  p: 5,
};
const end: Token = { kind: Kind.End, text: '', value: 0 };

export function tokenizeApkVersion(version: string): Token[] {
  const pattern = /^(\d+)((?:\.\d+)*)([a-z]?)((?:_[a-z]+\d*)*)(?:-r(\d+))?$/;
  const match = pattern.exec(version.trim());
  if (!match) throw new InvalidVersionError(`not an Alpine version: ${JSON.stringify(version)}`);
  const tokens: Token[] = [{ kind: Kind.Digit, text: match[1]!, value: Number(match[1]) }];
  for (const part of match[2]!.split('.').slice(1))
    tokens.push({ kind: Kind.Digit, text: part, value: Number(part) });
  if (match[3]) tokens.push({ kind: Kind.Letter, text: match[3], value: match[3].charCodeAt(0) });
  for (const suffix of match[4]!.split('_').slice(1)) {
    const [, name, number] = /^([a-z]+)(\d*)$/.exec(suffix)!;
    const rank = suffixRanks[name!];
    if (rank === undefined)
      throw new InvalidVersionError(
        `unknown Alpine version suffix _${name}: ${JSON.stringify(version)}`,
      );
    tokens.push({ kind: Kind.Suffix, text: name!, value: rank });
    if (number) tokens.push({ kind: Kind.SuffixNumber, text: number, value: Number(number) });
  }
  if (match[5] !== undefined)
    tokens.push({ kind: Kind.Revision, text: match[5], value: Number(match[5]) });
  return tokens;
}

export function compareApkVersions(a: string, b: string): number {
  const left = tokenizeApkVersion(a);
  const right = tokenizeApkVersion(b);
  for (let index = 0; ; index++) {
    const x = left[index] ?? end;
    const y = right[index] ?? end;
    if (x.kind === Kind.End && y.kind === Kind.End) return 0;
    if (x.kind !== y.kind) return compareDifferentKinds(x, y);
    const order = compareSameKind(x, y, index === 0);
    if (order !== 0) return order;
  }
}

function compareSameKind(x: Token, y: Token, first: boolean): number {
  // after the first, a number with a leading zero is compared as a decimal fraction (1.01 < 1.1)
  if (x.kind === Kind.Digit && !first && (x.text.startsWith('0') || y.text.startsWith('0'))) {
    return x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
  }
  return Math.sign(x.value - y.value);
}

function compareDifferentKinds(x: Token, y: Token): number {
  if (x.kind === Kind.Suffix && x.value < 0) return -1;
  if (y.kind === Kind.Suffix && y.value < 0) return 1;
  return x.kind < y.kind ? 1 : -1;
}
