/**
 * A repository as students hand it in, without submission.json: the Dockerfile, the build and
 * deletion scripts and the report are found by name, the student's commands read from them, and
 * every inferred value is recorded with the file (and line) it came from.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { sourceText } from '../commands/describe.ts';
import { extractMarkdownCommands } from '../commands/markdown.ts';
import { parseShellText } from '../commands/parse.ts';
import type { ParsedCommand } from '../commands/types.ts';
import { InputError } from '../errors.ts';
import type { Inferred } from '../results/types.ts';
import { plural } from './json-input.ts';
import { DEFAULT_PLATFORMS, loadSubmission, SCRIPT_MAX_BYTES, SUBMISSION_FILE, type Submission } from './load-submission.ts';

const countCommands = (n: number) => `${n} ${plural(n, 'polecenie', 'polecenia', 'poleceń')}`;

/** How deep the search goes: students keep their work at the top or one or two folders down. */
const MAX_DEPTH = 3;
/** Files looked at, at most: a repository with a vendored tree is not searched to the end. */
const MAX_ENTRIES = 5_000;
const SKIP_DIRS = new Set(['.git', 'node_modules', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'build', 'target']);
const DOCKERFILE = /^(?:dockerfile|containerfile)(?:[._-][\w.-]+)?$|\.dockerfile$/i;
const SCRIPT = /\.(?:sh|bash|ps1|bat|cmd)$/i;
// Report names students use (README.md, sprawozdanie.md, zadanie1_dod.md, raport.md, lab7.md).
const REPORT = /\.(?:md|markdown|txt)$/i;
/** Reports that need a document reader (grader/documents): read as evidence, not searched for commands here. */
const REPORT_DOCUMENT = /\.(?:pdf|docx)$/i;
const NOT_REPORT = /^(?:license|changelog|contributing)/i;
const STUDENT_ID = /(?:^|[^a-z0-9])([a-z]?\d{3,10})(?=[^0-9]|$)/i;
// No \b before the flags: `-X` follows a blank, and \b needs a word character there.
const DELETE_ANSWER = /(?:(?:^|\s)(?:-X\s*|--request[\s=]+|-Method\s+)DELETE\b|\bDELETE\s+\S*\/v2\/)/i;

export interface DiscoverOptions {
  /** From the roster or a flag; else read from the folder name. */
  id?: string;
  name?: string;
}

interface Found {
  dockerfiles: string[];
  scripts: string[];
  reports: string[];
  documents: string[];
}

export async function discoverSubmission(dir: string, o: DiscoverOptions = {}): Promise<Submission> {
  const root = await realpath(path.resolve(dir)).catch(() => undefined);
  if (!root || !(await stat(root)).isDirectory()) throw new InputError(`Katalog pracy ${dir} nie istnieje lub nie jest katalogiem.`);
  const inferred: Inferred[] = [];
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');

  const fromName = STUDENT_ID.exec(path.basename(root))?.[1]?.toLowerCase();
  const id = o.id ?? fromName;
  if (!id) {
    throw new InputError(
      `W katalogu ${root} nie ma pliku submission.json, a z nazwy katalogu nie da się odczytać numeru albumu.`,
      ['Utwórz submission.json (grader init) albo nazwij katalog numerem albumu, np. s12345.'],
    );
  }
  if (!o.id) inferred.push({ field: 'student.id', value: id, from: `nazwa katalogu ${path.basename(root)}` });
  const name = o.name ?? id;
  if (!o.name) inferred.push({ field: 'student.name', value: name, from: 'brak imienia i nazwiska: użyto numeru albumu' });

  const found = await findFiles(root);
  const commands: ParsedCommand[] = [];
  const files: string[] = [];
  let deleteScript: string | undefined;
  for (const script of found.scripts) {
    const text = await readSmall(script);
    if (text === undefined) continue;
    const parsed = parseShellText(text, { file: rel(script), style: /\.(?:sh|bash)$/i.test(script) ? 'script' : 'console' });
    if (parsed.length) files.push(rel(script));
    commands.push(...parsed);
    // A script that sends DELETE to a registry is the bonus answer.
    if (!deleteScript && DELETE_ANSWER.test(text) && /\.(?:sh|bash)$/i.test(script)) deleteScript = script;
  }
  const fromReports = await reportCommands(root, found.reports.map(rel));
  files.push(...fromReports.used);
  commands.push(...fromReports.parsed);
  for (const f of files) inferred.push({ field: 'build.commands', value: countCommands(commands.filter((c) => c.source.file === f).length), from: f });

  // The reference command needs one Dockerfile: the one the student's build names, else the shallowest.
  const named = commands.find((c) => c.kind === 'buildx-build' && c.build?.file)?.build?.file;
  const namedPath = named ? found.dockerfiles.find((d) => rel(d) === named.replace(/^\.\//, '')) : undefined;
  const dockerfilePath = namedPath ?? found.dockerfiles[0];
  if (!dockerfilePath) throw new InputError(`W katalogu ${root} nie ma pliku submission.json ani pliku Dockerfile.`, ['Dodaj Dockerfile do repozytorium albo opisz pracę w submission.json (grader init).']);
  inferred.push({ field: 'build.dockerfile', value: rel(dockerfilePath), from: namedPath ? `opcja -f w poleceniu studenta (${sourceText(commands.find((c) => c.build?.file === named)!.source)})` : 'pierwszy znaleziony Dockerfile' });
  const contextDir = path.dirname(dockerfilePath);
  const reportFiles = [...found.reports, ...found.documents].map(rel);
  if (reportFiles.length) inferred.push({ field: 'report', value: reportFiles.join(', '), from: 'nazwy plików w repozytorium (.md, .txt, .pdf, .docx)' });
  if (deleteScript) inferred.push({ field: 'bonus.deleteScript', value: rel(deleteScript), from: `${rel(deleteScript)}: skrypt wysyła DELETE do rejestru` });

  const submission: Submission = {
    dir: root,
    file: path.join(root, 'submission.json'),
    student: { id, name },
    build: {
      context: rel(contextDir) || '.',
      contextDir,
      dockerfile: rel(dockerfilePath),
      dockerfilePath,
      args: {},
      platforms: [...DEFAULT_PLATFORMS],
      ...(commands.length ? { commands: { from: 'repository' as const, files, parsed: commands } } : {}),
    },
    ...(deleteScript ? { bonus: { deleteScript: rel(deleteScript), deleteScriptPath: deleteScript } } : {}),
    ...(reportFiles.length ? { report: { files: reportFiles, from: 'repository' as const } } : {}),
    inferred,
  };
  return submission;
}

/** Breadth-first, so the shallowest files come first; symlinks are never followed. */
async function findFiles(root: string): Promise<Found> {
  const found: Found = { dockerfiles: [], scripts: [], reports: [], documents: [] };
  let queue: string[] = [root];
  let seen = 0;
  for (let depth = 0; depth < MAX_DEPTH && queue.length; depth++) {
    const next: string[] = [];
    for (const dir of queue) {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (++seen > MAX_ENTRIES) return found;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) next.push(p);
        } else if (e.isFile()) {
          if (DOCKERFILE.test(e.name)) found.dockerfiles.push(p);
          else if (SCRIPT.test(e.name)) found.scripts.push(p);
          else if (REPORT.test(e.name) && !NOT_REPORT.test(e.name)) found.reports.push(p);
          else if (REPORT_DOCUMENT.test(e.name) && !NOT_REPORT.test(e.name)) found.documents.push(p);
        }
      }
    }
    queue = next;
  }
  return found;
}

/** A text file's content, unless it is too big to be a script or a report written by hand. */
async function readSmall(file: string): Promise<string | undefined> {
  const info = await lstat(file);
  if (!info.isFile() || info.size > SCRIPT_MAX_BYTES * 16) return undefined;
  return readFile(file, 'utf8');
}

/**
 * submission.json when the repository has one (what it says overrides), else what the repository
 * shows. A submission.json without build commands takes them from the report.
 */
export async function loadOrDiscover(dir: string, o: DiscoverOptions = {}): Promise<Submission> {
  const present = await lstat(path.join(dir, SUBMISSION_FILE)).then(() => true, () => false);
  return present ? withReportCommands(await loadSubmission(dir)) : discoverSubmission(dir, o);
}

async function withReportCommands(sub: Submission): Promise<Submission> {
  if (sub.build.commands) return sub;
  const { parsed, used } = await reportCommands(sub.dir, (sub.report?.files ?? await findReportFiles(sub.dir)).filter((f) => REPORT.test(f)));
  if (parsed.length === 0) return sub;
  return {
    ...sub,
    build: { ...sub.build, commands: { from: 'repository', files: used, parsed } },
    inferred: used.map((f) => ({ field: 'build.commands', value: countCommands(parsed.filter((c) => c.source.file === f).length), from: `${f} (submission.json nie podaje poleceń)` })),
  };
}

/**
 * The commands of text reports (paths relative to `root`), found as in Markdown: code blocks and
 * lines that start a docker or curl command, so the prose of a `.txt` report is not read as commands.
 */
async function reportCommands(root: string, files: readonly string[]): Promise<{ parsed: ParsedCommand[]; used: string[] }> {
  const parsed: ParsedCommand[] = [];
  const used: string[] = [];
  for (const file of files) {
    const text = await readSmall(path.join(root, file));
    if (text === undefined) continue;
    const commands = extractMarkdownCommands(text, file);
    if (commands.length) used.push(file);
    parsed.push(...commands);
  }
  return { parsed, used };
}

/** Report files of a repository that has submission.json without `report`: found by name, as without it. */
export async function findReportFiles(dir: string): Promise<string[]> {
  const root = await realpath(path.resolve(dir));
  const found = await findFiles(root);
  return [...found.reports, ...found.documents].map((p) => path.relative(root, p).split(path.sep).join('/'));
}
