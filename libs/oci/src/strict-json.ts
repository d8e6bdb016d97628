/**
 * What JSON.parse lets through and a manifest must not hold:
 * - a key given twice in one object. JSON.parse keeps the last, Go's decoder the last too
 *   but other parsers the first: two clients would see two images under one digest.
 * - a string (key or value) Postgres cannot keep (a NUL, a lone surrogate; storable-text.ts).
 * Both are checked on text that JSON.parse already accepted, so the scanner below only
 * has to tell keys from values and find where strings end.
 */
import { isStorableText } from './storable-text';

/** The first key that an object of `text` (valid JSON) gives twice, if any. */
export function findDuplicateKey(text: string): string | undefined {
  // one frame per open object (its keys so far) or array (undefined)
  const frames: (Set<string> | undefined)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = stringEnd(text, i);
      const top = frames.at(-1);
      if (expectingKey && top !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{') {
      frames.push(new Set());
      expectingKey = true;
    } else if (char === '[') {
      frames.push(undefined);
      expectingKey = false;
    } else if (char === '}' || char === ']') {
      frames.pop();
      expectingKey = false;
    } else if (char === ',') {
      expectingKey = frames.at(-1) !== undefined;
    }
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** The first string of `value` (keys too) that cannot be stored, if any. */
export function findUnstorableString(value: unknown): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : value;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!isStorableText(key)) return key;
    const found = findUnstorableString(item);
    if (found !== undefined) return found;
  }
  return undefined;
}
