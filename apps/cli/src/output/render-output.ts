/**
 * How a command's result is printed, as `az` prints it: the result is JSON-shaped data;
 * `--query` (JMESPath, the language `az --query` speaks) picks from it first; then
 * `--output` renders it:
 *
 *   json   indented JSON (the default when stdout is not a terminal: scripts parse it)
 *   yaml   the same data as YAML
 *   table  one row per item (the default on a terminal); a command may name its columns,
 *          used when no --query reshaped the data; else the scalar fields of the items
 *   tsv    one line per item, its fields (or a list's values) tab-separated, no header (for
 *          `cut` and `while read`)
 *
 * Colour (bold table headers) only on a terminal and never when NO_COLOR is set.
 */
import Table from 'cli-table3';
import { search } from 'jmespath';
import { stringify as toYaml } from 'yaml';
import { usageError } from '../cli-error';

export const outputFormats = ['json', 'table', 'tsv', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface TableColumn {
  header: string;
  /** a dotted path into the item, e.g. `changeableAttributes.writeEnabled` */
  path: string;
}

export interface RenderOptions {
  format: OutputFormat;
  query?: string;
  /** the command's table layout: its columns, and where the rows are in the result */
  table?: { columns: readonly TableColumn[]; rows?: (result: unknown) => unknown };
  color?: boolean;
}

export function renderOutput(result: unknown, options: RenderOptions): string {
  const value = options.query === undefined ? result : applyQuery(result, options.query);
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(value ?? null, null, 2)}\n`;
    case 'yaml':
      return toYaml(value ?? null);
    case 'tsv':
      return renderTsv(value);
    case 'table':
      return renderTable(
        value,
        options.query === undefined ? options.table : undefined,
        options.color,
      );
  }
}

export function applyQuery(value: unknown, query: string): unknown {
  try {
    return search(value as Parameters<typeof search>[0], query) as unknown;
  } catch (error) {
    throw usageError(`--query "${query}": ${(error as Error).message}`);
  }
}

export function defaultFormat(stdout: { isTTY?: boolean }): OutputFormat {
  return stdout.isTTY ? 'table' : 'json';
}

export function useColor(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return Boolean(stream.isTTY) && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

function renderTable(value: unknown, layout: RenderOptions['table'], color = false): string {
  const rows = asRows(layout?.rows ? layout.rows(value) : value);
  if (rows.length === 0) return '';
  const columns = layout?.columns ?? inferColumns(rows);
  // Bold is written here rather than asked of cli-table3's colour library, which decides by
  // itself from the environment (it turns colour off wherever `CI` is set, a terminal or not);
  // the table measures cells without their escape codes.
  const table = new Table({
    head: columns.map((column) => (color ? bold(column.header) : column.header)),
    style: { head: [], border: [], compact: false },
    wordWrap: false,
  });
  for (const row of rows) table.push(columns.map((column) => cell(at(row, column.path))));
  return `${table.toString()}\n`;
}

function bold(text: string): string {
  return `\u001b[1m${text}\u001b[22m`;
}

function renderTsv(value: unknown): string {
  const rows = asRows(value);
  return rows
    .map((row) =>
      Array.isArray(row)
        ? row.map(cell).join('\t')
        : row !== null && typeof row === 'object'
          ? Object.values(row).map(cell).join('\t')
          : cell(row),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function asRows(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Scalar fields of the items, in the order they first appear; a list of scalars: one column. */
function inferColumns(rows: readonly unknown[]): TableColumn[] {
  if (!rows.some((row) => row !== null && typeof row === 'object' && !Array.isArray(row))) {
    return [{ header: 'Result', path: '' }];
  }
  const keys: string[] = [];
  for (const row of rows) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) continue;
    for (const [key, field] of Object.entries(row)) {
      if (!keys.includes(key) && (field === null || typeof field !== 'object')) keys.push(key);
    }
  }
  return keys.map((key) => ({ header: headerOf(key), path: key }));
}

/** `lastUpdateTime` → `LastUpdateTime`, as az titles its columns */
function headerOf(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function at(row: unknown, path: string): unknown {
  if (path === '') return row;
  let value = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/[\t\r\n]+/g, ' ');
}
