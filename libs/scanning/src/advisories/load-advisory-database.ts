/**
 * Loads an OSV advisory database from a directory (searched recursively for `*.json`) or a
 * `.zip` of them, as `MERIDIAN_ADVISORY_DB` names. A file may hold one OSV record or an array
 * of them. Each invalid file becomes an error entry; a database that cannot be opened at all
 * yields no advisories and one error naming the path, so a caller can keep its previous one.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ScanError } from '../scan-error';
import { type Advisory, type AdvisoryDatabase } from './advisory-database';
import { advisoryKey } from './advisory-key';
import { toAdvisory } from './to-advisory';
import { readZipEntries } from './read-zip';
import { OsvRecord } from './osv-schema';

/** one advisory file larger than this is refused (the largest real OSV records are ~1 MiB) */
const maxFileBytes = 16 * 1024 * 1024;

interface SourceFile {
  name: string;
  read(): Promise<Buffer>;
}

export async function loadAdvisoryDatabase(path: string): Promise<AdvisoryDatabase> {
  const errors: ScanError[] = [];
  let files: SourceFile[];
  try {
    files = (await stat(path)).isDirectory()
      ? await directoryFiles(path)
      : zipFiles(await readFile(path));
  } catch (error) {
    errors.push({
      scope: 'advisory',
      subject: path,
      message: `cannot open advisory database: ${messageOf(error)}`,
    });
    return buildDatabase([], createHash('sha256'), errors);
  }
  const hash = createHash('sha256');
  const advisories: Advisory[] = [];
  for (const file of files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    try {
      const bytes = await file.read();
      hash.update(file.name).update('\0').update(bytes).update('\0');
      advisories.push(...parseAdvisoryFile(file.name, bytes));
    } catch (error) {
      errors.push({ scope: 'advisory', subject: file.name, message: messageOf(error) });
    }
  }
  return buildDatabase(advisories, hash, errors);
}

/** One file's advisories; throws with a readable message when it is not OSV. */
export function parseAdvisoryFile(name: string, bytes: Buffer): Advisory[] {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`not JSON: ${messageOf(error)}`);
  }
  const records = Array.isArray(json) ? json : [json];
  return records.flatMap((record: unknown, index) => {
    const parsed = OsvRecord.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = [...(Array.isArray(json) ? [index] : []), ...issue.path].join('.');
      throw new Error(`not an OSV record: ${where ? `${where}: ` : ''}${issue.message}`);
    }
    return parsed.data.withdrawn ? [] : [toAdvisory(parsed.data, name)];
  });
}

async function directoryFiles(root: string): Promise<SourceFile[]> {
  const names = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.json'));
  return names.map((name) => ({ name, read: () => readCapped(join(root, name)) }));
}

async function readCapped(path: string): Promise<Buffer> {
  const { size } = await stat(path);
  if (size > maxFileBytes) throw new Error(`${size} bytes, over the ${maxFileBytes}-byte limit`);
  return readFile(path);
}

function zipFiles(zip: Buffer): SourceFile[] {
  return readZipEntries(zip)
    .filter((entry) => entry.name.endsWith('.json'))
    .map((entry) => ({ name: entry.name, read: async () => entry.read(maxFileBytes) }));
}

function buildDatabase(
  advisories: Advisory[],
  hash: ReturnType<typeof createHash>,
  errors: ScanError[],
): AdvisoryDatabase {
  const byPackage = new Map<string, Advisory[]>();
  for (const advisory of advisories) {
    const keys = new Set(
      advisory.affected.map((affected) => advisoryKey(affected.ecosystem, affected.name)),
    );
    for (const key of keys) {
      const list = byPackage.get(key) ?? [];
      list.push(advisory);
      byPackage.set(key, list);
    }
  }
  return { advisories, byPackage, fingerprint: hash.digest('hex'), errors };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
