/**
 * Who is in the batch: every subfolder that holds a submission (submission.json, or a repository
 * as handed in: a Dockerfile, a report or a script), or the rows of a roster CSV.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import { SUBMISSION_FILE } from '../submission/load-submission.ts';
import { SAFE_KEY, parseRoster, type RosterEntry } from './roster.ts';

export interface StudentJob {
  /** Folder name of the student in the output (unique in the batch). */
  key: string;
  source: { kind: 'dir'; dir: string } | { kind: 'git'; url: string };
  /** Roster row: its name, image and cache override submission.json. */
  roster?: RosterEntry;
}

export interface Discovery {
  kind: 'dir' | 'roster';
  jobs: StudentJob[];
  /** Subfolders with nothing of a submission in them (dir mode), for the user's information. */
  ignored: string[];
}

export const ROSTER_MAX_BYTES = 1024 * 1024;

export async function discoverStudents(input: string, o: { exclude?: string[] } = {}): Promise<Discovery> {
  const abs = path.resolve(input);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new InputError(`${input} nie istnieje: podaj katalog z pracami studentów albo plik CSV z listą studentów.`);
  if (info.isFile()) return { kind: 'roster', jobs: await rosterJobs(abs, info.size), ignored: [] };
  if (!info.isDirectory()) throw new InputError(`${input} nie jest ani katalogiem, ani plikiem CSV.`);
  return dirJobs(abs, (o.exclude ?? []).map((e) => path.resolve(e)));
}

async function dirJobs(root: string, exclude: string[]): Promise<Discovery> {
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const jobs: StudentJob[] = [];
  const ignored: string[] = [];
  const keys = new Set<string>();
  for (const e of entries) {
    const dir = path.join(root, e.name);
    if (exclude.some((x) => x === dir || x.startsWith(dir + path.sep))) continue;
    if (!(await holdsSubmission(dir))) {
      ignored.push(e.name);
      continue;
    }
    let key = safeKey(e.name);
    while (keys.has(key.toLowerCase())) key = `${key}-${shortHash(dir)}`;
    keys.add(key.toLowerCase());
    jobs.push({ key, source: { kind: 'dir', dir } });
  }
  if (jobs.length === 0) {
    throw new InputError(`W katalogu ${root} nie ma podkatalogów z pracami (jeden podkatalog = jedna praca: ${SUBMISSION_FILE}, Dockerfile, sprawozdanie albo skrypt).`);
  }
  return { kind: 'dir', jobs, ignored };
}

// What students hand in, at the top of their repository (discover.ts searches deeper once chosen).
const SUBMISSION_ENTRY = /^(?:submission\.json|\.git|(?:dockerfile|containerfile)(?:[._-][\w.-]+)?|[^/]+\.(?:dockerfile|md|markdown|txt|pdf|docx|sh|ps1))$/i;

/** Any entry named like a submission counts: a broken submission.json gets its verdict instead of vanishing. */
async function holdsSubmission(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((n) => SUBMISSION_ENTRY.test(n));
}

async function rosterJobs(file: string, size: number): Promise<StudentJob[]> {
  if (size > ROSTER_MAX_BYTES) throw new InputError(`Lista studentów ${file} ma ${size} B; to za dużo jak na plik CSV z listą (limit ${ROSTER_MAX_BYTES} B).`);
  const text = await readFile(file, 'utf8');
  const parsed = parseRoster(text);
  if ('errors' in parsed) {
    throw new InputError(`Niepoprawna lista studentów ${file} (CSV: id, name, source, image, cache).`, parsed.errors.map((e) => `${path.basename(file)}: ${e}`));
  }
  const base = path.dirname(file);
  return parsed.entries.map((entry) => ({
    key: entry.id,
    source: entry.source.kind === 'git' ? { kind: 'git', url: entry.source.url } : { kind: 'dir', dir: path.resolve(base, entry.source.path) },
    roster: entry,
  }));
}

/** A folder name as an output key: kept when simple, else made simple with a hash to stay unique. */
export function safeKey(name: string): string {
  if (SAFE_KEY.test(name)) return name;
  const cleaned = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L')
    .replace(/[^\w-]+/g, '_').replace(/_+/g, '_').replace(/^[_-]+|[_-]+$/g, '').slice(0, 48);
  return `${cleaned || 'praca'}-${shortHash(name)}`;
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 6);
}
