/**
 * Which version order an OSV ecosystem uses. Each comparator returns <0, 0 or >0 and throws
 * InvalidVersionError for a version it cannot read.
 */
export class InvalidVersionError extends Error {}

export type CompareVersions = (a: string, b: string) => number;

/** The order for `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`, `npm`, `PyPI`; undefined if unknown. */
export function versionOrderFor(ecosystem: string): CompareVersions | undefined {
  void ecosystem;
  throw new Error('versionOrderFor: being written (issue 6)');
}
