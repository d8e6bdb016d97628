import { parse as parseYaml } from 'yaml';
import { CliError } from '../cli-error';
import { defaultFormat, renderOutput, useColor } from './render-output';

const tags = [
  { name: 'v1', digest: 'sha256:aa', changeableAttributes: { writeEnabled: false } },
  { name: 'v2', digest: 'sha256:bb', changeableAttributes: { writeEnabled: true } },
];

describe(renderOutput.name, () => {
  it('prints JSON that parses back to the result', () => {
    expect(JSON.parse(renderOutput(tags, { format: 'json' }))).toEqual(tags);
  });

  it('prints YAML that parses back to the result', () => {
    expect(parseYaml(renderOutput(tags, { format: 'yaml' }))).toEqual(tags);
  });

  it('applies a JMESPath --query before rendering', () => {
    const output = renderOutput(tags, {
      format: 'json',
      query: '[?changeableAttributes.writeEnabled==`false`].name',
    });
    expect(JSON.parse(output)).toEqual(['v1']);
  });

  it('refuses a query that does not parse as a usage error', () => {
    const render = () => renderOutput(tags, { format: 'json', query: '[?name==' });
    expect(render).toThrow(CliError);
    expect(render).toThrow(/--query/);
    try {
      render();
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });

  it('prints tsv as one line per item, fields tab-separated, objects as JSON', () => {
    expect(renderOutput(tags, { format: 'tsv' })).toBe(
      'v1\tsha256:aa\t{"writeEnabled":false}\nv2\tsha256:bb\t{"writeEnabled":true}\n',
    );
    expect(renderOutput(['a', 'b'], { format: 'tsv' })).toBe('a\nb\n');
    expect(renderOutput(tags, { format: 'tsv', query: '[].[name, digest]' })).toBe(
      'v1\tsha256:aa\nv2\tsha256:bb\n',
    );
  });

  it("draws a table with the command's columns, dotted paths reaching into objects", () => {
    const table = renderOutput(tags, {
      format: 'table',
      table: {
        columns: [
          { header: 'Name', path: 'name' },
          { header: 'Write', path: 'changeableAttributes.writeEnabled' },
        ],
      },
    });
    const lines = table.trimEnd().split('\n');
    expect(lines[1]).toMatch(/│ Name\s+│ Write\s+│/);
    expect(table).toMatch(/│ v1\s+│ false\s+│/);
    expect(table).toMatch(/│ v2\s+│ true\s+│/);
    expect(table).not.toContain('\u001b['); // no colour unless asked for
  });

  it('draws the scalar fields when a --query reshaped the result', () => {
    const table = renderOutput(tags, {
      format: 'table',
      query: '[].{tag: name, digest: digest}',
      table: { columns: [{ header: 'Name', path: 'name' }] },
    });
    expect(table).toMatch(/│ Tag\s+│ Digest\s+│/);
    expect(table).toMatch(/│ v2\s+│ sha256:bb │/);
  });

  it('draws a list of names as one column and nothing at all for an empty list', () => {
    expect(renderOutput(['app', 'web'], { format: 'table' })).toMatch(/│ Result │[\s\S]*│ web\s+│/);
    expect(renderOutput([], { format: 'table' })).toBe('');
  });

  it('makes headers bold only when colour is on', () => {
    const coloured = renderOutput(tags, { format: 'table', color: true });
    expect(coloured).toContain('\u001b[1m');
  });
});

describe(defaultFormat.name, () => {
  it('is table on a terminal and json when piped', () => {
    expect(defaultFormat({ isTTY: true })).toBe('table');
    expect(defaultFormat({ isTTY: false })).toBe('json');
    expect(defaultFormat({})).toBe('json');
  });
});

describe(useColor.name, () => {
  it('colours a terminal unless NO_COLOR is set or the terminal is dumb', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
});
