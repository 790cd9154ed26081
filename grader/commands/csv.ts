/**
 * buildx's CSV values (`--cache-to`, `--cache-from`, `--output`, `--driver-opt`): comma-separated
 * `key=value` fields, a field may be double-quoted as a whole ("" inside is one quote), keys are
 * case-insensitive. Same rules as the Go csv reader buildx uses.
 */
import type { CommandProblem, CsvEntry } from './types.ts';

/** The fields of one value, or undefined when the quoting is malformed. */
export function csvFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined; // unclosed quote
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') return undefined; // text after the closing quote
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end === -1 ? text.length : end);
      if (field.includes('"')) return undefined; // a bare quote inside an unquoted field
      i = end === -1 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/**
 * Reads `key=value` fields into an entry. `shorthand` decides the type of a value without `=`
 * (each flag has its own); a field without `=` among others is malformed.
 */
export function parseCsvEntry(text: string, shorthand: (value: string) => Record<string, string>, problems: CommandProblem[]): CsvEntry {
  if (!text.includes('=')) {
    const { type, ...attrs } = shorthand(text);
    return { text, type, attrs, shorthand: true };
  }
  const fields = csvFields(text);
  const attrs: Record<string, string> = {};
  if (fields === undefined) {
    problems.push({ code: 'bad-csv', text });
    return { text, attrs, shorthand: false };
  }
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) {
      problems.push({ code: 'bad-csv', text });
      continue;
    }
    attrs[field.slice(0, eq).trim().toLowerCase()] = field.slice(eq + 1);
  }
  const { type, ...rest } = attrs;
  return { text, ...(type !== undefined ? { type } : {}), attrs: rest, shorthand: false };
}
