/**
 * The instructor's roster CSV: one student per row (id, name, git URL or folder, image, cache ref).
 * Pure: returns `{entries}` or `{errors}` with row numbers, never throws on bad input.
 */
import { parseCsv } from './csv.ts';

export type RosterSource = { kind: 'git'; url: string } | { kind: 'dir'; path: string };

export interface RosterEntry {
  /** 1-based row in the file (the header is row 1). */
  row: number;
  id: string;
  name?: string;
  source: RosterSource;
  image?: string;
  cache?: string;
}

type Column = 'id' | 'name' | 'source' | 'image' | 'cache';

/** Header names we accept (lower case), English and Polish. */
const HEADER_ALIASES: Record<Column, string[]> = {
  id: ['id', 'student_id', 'student id', 'student', 'indeks', 'nr albumu', 'nr_albumu', 'album'],
  name: ['name', 'student_name', 'imię i nazwisko', 'imie i nazwisko', 'imię_nazwisko', 'nazwisko'],
  source: ['source', 'repo', 'repository', 'git', 'url', 'git url', 'folder', 'katalog', 'źródło', 'zrodlo'],
  image: ['image', 'obraz'],
  cache: ['cache', 'cache_ref', 'cache ref', 'cache-ref'],
};

/** A student id doubles as a folder name in the output: keep it simple. */
export const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/;
// Transports git may use for a student's repository; `ext::` and friends run commands.
const GIT_URL = /^(?:https?|ssh|git|file):\/\/\S+$/i;
const SCP_LIKE = /^[\w.-]+@[\w.-]+:[^\s:][^\s]*$/;

export function parseRoster(text: string): { entries: RosterEntry[] } | { errors: string[] } {
  const parsed = parseCsv(text);
  if ('errors' in parsed) return parsed;
  const [header, ...rows] = parsed.rows;
  if (!header) return { errors: ['plik jest pusty: potrzebny wiersz nagłówka (id, name, source, image, cache) i wiersze studentów'] };
  const index = columnIndex(header);
  const errors: string[] = [];
  for (const col of ['id', 'source'] as const) {
    if (index[col] === undefined) errors.push(`nagłówek: brak kolumny ${col} (akceptowane nazwy: ${HEADER_ALIASES[col].join(', ')})`);
  }
  if (errors.length) return { errors };

  const entries: RosterEntry[] = [];
  const seen = new Map<string, number>();
  rows.forEach((cells, i) => {
    const row = i + 2;
    const cell = (c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? '').trim());
    const id = cell('id');
    const sourceText = cell('source');
    const at = `wiersz ${row}`;
    if (!SAFE_KEY.test(id)) errors.push(`${at}: id „${id}” — dozwolone litery, cyfry, . _ - (do 64 znaków)`);
    else if (seen.has(id.toLowerCase())) errors.push(`${at}: id „${id}” powtarza się (pierwszy raz w wierszu ${seen.get(id.toLowerCase())})`);
    else seen.set(id.toLowerCase(), row);
    const source = classifySource(sourceText);
    if (!source) errors.push(`${at}: źródło „${sourceText}” nie jest adresem git (https://, ssh://, git://, file://, user@host:repo) ani ścieżką katalogu`);
    const entry: RosterEntry = { row, id, source: source ?? { kind: 'dir', path: '' } };
    const name = cell('name');
    if (name) entry.name = name;
    for (const c of ['image', 'cache'] as const) {
      const v = cell(c);
      if (!v) continue;
      if (!IMAGE_REF.test(v)) errors.push(`${at}: ${c} „${v}” nie jest referencją obrazu (rejestr/repozytorium:tag)`);
      else entry[c] = v;
    }
    entries.push(entry);
  });
  if (entries.length === 0 && errors.length === 0) errors.push('brak wierszy studentów pod nagłówkiem');
  return errors.length ? { errors } : { entries };
}

function columnIndex(header: string[]): Partial<Record<Column, number>> {
  const out: Partial<Record<Column, number>> = {};
  header.forEach((h, i) => {
    const name = h.trim().toLowerCase();
    for (const [col, aliases] of Object.entries(HEADER_ALIASES) as [Column, string[]][]) {
      if (aliases.includes(name) && out[col] === undefined) out[col] = i;
    }
  });
  return out;
}

/** A git URL, a folder path, or undefined when it is neither (or a transport we refuse). */
export function classifySource(text: string): RosterSource | undefined {
  if (!text || /[\u0000-\u001f\u007f]/.test(text) || text.includes('::') || text.startsWith('-')) return undefined;
  if (GIT_URL.test(text) || SCP_LIKE.test(text)) return { kind: 'git', url: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined; // another scheme
  return { kind: 'dir', path: text };
}
