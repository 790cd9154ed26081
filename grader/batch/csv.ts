/** RFC 4180 CSV: parsing (quoted fields, CRLF, BOM) and writing. Pure. */

export const UTF8_BOM = '\uFEFF';

export type CsvParse = { rows: string[][] } | { errors: string[] };

/** Splits CSV text into rows of fields; a quote left open is reported with its line number. */
export function parseCsv(text: string, delimiter = ','): CsvParse {
  const src = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += ch;
  }
  if (quoted) return { errors: [`wiersz ${quoteLine}: cudzysłów otwarty i niezamknięty do końca pliku`] };
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines carry no student.
  return { rows: rows.filter((r) => r.some((f) => f.trim() !== '')) };
}

/** Quotes a field when it holds the delimiter, a quote or a line break. */
export function csvField(value: string | number, delimiter = ','): string {
  const s = String(value);
  return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text with CRLF line ends (RFC 4180). */
export function toCsv(rows: (string | number)[][], delimiter = ','): string {
  return rows.map((r) => r.map((f) => csvField(f, delimiter)).join(delimiter)).join('\r\n') + '\r\n';
}
