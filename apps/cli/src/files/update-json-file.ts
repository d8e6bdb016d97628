/**
 * Read-modify-write of a JSON file that other programs own too (docker's config.json, the
 * containers auth.json, our own config): the file is never left half-written and what we
 * do not understand is kept. The new text goes to a temporary file beside it (mode 0600:
 * these files hold credentials), is flushed to disk, then renamed over the old one, which
 * is atomic on one filesystem; a reader sees the old file or the new, never a mix. A file
 * that does not parse as a JSON object is refused rather than replaced: it is someone's.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from '../cli-error';

export type JsonObject = Record<string, unknown>;

export async function readJsonFile(path: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('FILE_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('FILE_INVALID', `${path} is not valid JSON; fix or move it first`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError('FILE_INVALID', `${path} does not hold a JSON object; fix or move it first`);
  }
  return parsed as JsonObject;
}

/**
 * Applies `change` to the file's object (an empty one when there is no file) and writes the
 * result atomically; `change` returning undefined writes nothing.
 */
export async function updateJsonFile(
  path: string,
  change: (current: JsonObject) => JsonObject | undefined,
): Promise<boolean> {
  const current = (await readJsonFile(path)) ?? {};
  const next = change(structuredClone(current));
  if (next === undefined) return false;
  await writeFileAtomically(path, `${JSON.stringify(next, null, '\t')}\n`);
  return true;
}

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
