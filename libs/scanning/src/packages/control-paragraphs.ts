/**
 * Splits the RFC 822-like databases of dpkg (`Field: value`, continuation lines indented) and
 * apk (`K:value`) into paragraphs of fields, reporting lines that fit neither shape, so each
 * package database parser only decides what its fields mean.
 */
export interface Paragraph {
  fields: Map<string, string>;
  /** 1-based line of the paragraph's first field, for error messages */
  line: number;
}

export interface ParagraphParse {
  paragraphs: Paragraph[];
  badLines: number[];
}

export function parseDpkgParagraphs(text: string): ParagraphParse {
  return splitParagraphs(text, /^([A-Za-z0-9][A-Za-z0-9-]*):\s?(.*)$/, true);
}

export function parseApkParagraphs(text: string): ParagraphParse {
  return splitParagraphs(text, /^([A-Za-z]):(.*)$/, false);
}

function splitParagraphs(
  text: string,
  fieldPattern: RegExp,
  continuations: boolean,
): ParagraphParse {
  const paragraphs: Paragraph[] = [];
  const badLines: number[] = [];
  let current: Paragraph | undefined;
  let lastField: string | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      lastField = undefined;
      continue;
    }
    if (continuations && (line.startsWith(' ') || line.startsWith('\t')) && current && lastField) {
      current.fields.set(lastField, `${current.fields.get(lastField)}\n${line.slice(1)}`);
      continue;
    }
    const match = fieldPattern.exec(line);
    if (!match) {
      badLines.push(index + 1);
      continue;
    }
    if (!current) {
      current = { fields: new Map(), line: index + 1 };
      paragraphs.push(current);
    }
    lastField = match[1]!;
    // apk repeats some keys (e.g. `r:`); the first value is the one that names the package
    if (!current.fields.has(lastField)) current.fields.set(lastField, match[2]!.trimEnd());
  }
  return { paragraphs, badLines };
}
