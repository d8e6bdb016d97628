/**
 * Loads an OSV advisory database from a directory (searched recursively for `*.json`) or a
 * `.zip` of them, as `MERIDIAN_ADVISORY_DB` names. Each invalid file becomes an error entry.
 */
import { type AdvisoryDatabase } from './advisory-database';

export async function loadAdvisoryDatabase(path: string): Promise<AdvisoryDatabase> {
  void path;
  throw new Error('loadAdvisoryDatabase: being written (issue 6)');
}
