/**
 * Reads os-release(5): shell-style KEY=value lines, values optionally quoted. Only ID,
 * VERSION_ID and PRETTY_NAME decide anything in Meridian.
 */
import { type OperatingSystem } from './package';

export const osReleasePaths = ['etc/os-release', 'usr/lib/os-release'];

export function parseOsRelease(text: string): OperatingSystem | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) fields.set(match[1]!, unquote(match[2]!.trim()));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  return {
    id: id.toLowerCase(),
    versionId: fields.get('VERSION_ID') || undefined,
    prettyName: fields.get('PRETTY_NAME') || undefined,
  };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    return value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
  }
  return value;
}
