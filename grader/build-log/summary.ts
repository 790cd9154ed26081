/**
 * What one saved or pasted build log proves, as the stable object of `grader log --json`. Pure:
 * the text goes through the project's parsers (parse.ts for plain and tty, rawjson.ts for
 * `--progress=rawjson`), and this file only maps their analysis to the contract:
 *
 *   { format: 'plain' | 'tty' | 'rawjson', driver: string | null,
 *     imported: 'imported' | 'failed' | 'not-found' | 'not-requested' | 'unknown',
 *     exported: true | false | null,
 *     platforms: { 'linux/amd64': { steps, cached }, …, default: { steps, cached } },
 *     failed: boolean, failedStep: string | null }
 *
 * - driver: of `#0 building with "NAME" instance using DRIVER driver`, or the tty header's
 *   `DRIVER:NAME`; null when the log prints neither (rawjson never does).
 * - imported: the parser's import status. Without any `importing cache manifest`, the log proves
 *   that no --cache-from was used ('not-requested') only when it shows where the build starts
 *   (the `#0 building with` line, a tty header, `#1 [internal] load …`, or rawjson, which is
 *   always whole); a fragment that starts later says 'unknown'.
 * - exported: true when the cache manifest was written (`writing cache (image) manifest`) and
 *   the export vertex did not fail; false when `exporting cache …` appears without that (an
 *   error, CANCELED, or a log that ends first); null when no cache export appears.
 * - platforms: Dockerfile steps without FROM and `[internal]` vertices (parse.ts explains why),
 *   per platform; steps printed without a platform (a single-platform build) under "default",
 *   which comes last.
 * - failed: the log ends in buildx's `ERROR:` line, or a Dockerfile step shows an error (a
 *   fragment cut before the final line). failedStep: the failing step's title as buildx printed
 *   it, e.g. `[linux/amd64 build1 5/5] RUN npm install`.
 */
import type { CacheImportStatus } from '../results/types.ts';
import { parseBuildLog, UNLABELLED_PLATFORM } from './parse.ts';
import { parseRawJson } from './rawjson.ts';
import type { BuildLogAnalysis, BuildStep } from './types.ts';

export type LogFormat = 'plain' | 'tty' | 'rawjson';
export type LogImport = CacheImportStatus | 'unknown';

export interface LogPlatformSteps {
  steps: number;
  cached: number;
}

/** The `grader log --json` object; its keys, in this order, are a contract for scripts. */
export interface LogSummary {
  format: LogFormat;
  driver: string | null;
  imported: LogImport;
  exported: boolean | null;
  platforms: Record<string, LogPlatformSteps>;
  failed: boolean;
  failedStep: string | null;
}

export interface LogReading {
  summary: LogSummary;
  /** Anything in the text was read as a buildx log (vertex lines, tty frames, rawjson, a build error). */
  recognized: boolean;
  /** The log shows where the build starts, so a missing import means none was requested. */
  startShown: boolean;
  /** Line numbers of the analysis are file lines for plain and tty, rendered lines for rawjson. */
  analysis: BuildLogAnalysis;
}

/** Lines looked at for a rawjson SolveStatus before deciding the text is not rawjson. */
const RAWJSON_SNIFF_LINES = 20;
/** BuildKit marshals SolveStatus with these keys in this order, each omitted when empty. */
const SOLVE_STATUS = /^\{"(?:vertexes|statuses|logs|warnings)":\[/;
/** The first vertex of a plain log, after an optional CI timestamp prefix. */
const PLAIN_START = /^(?:[^\n]{0,40}[ \t])?#1 \[internal\] load /m;

export function logSummary(text: string): LogSummary {
  return readBuildLog(text).summary;
}

export function readBuildLog(input: string): LogReading {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (isRawJson(text)) {
    // JSON.parse takes a trailing `\r`, the client's own lines (Dockerfile excerpt, ERROR) need it gone.
    const { result } = parseRawJson(text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text);
    return reading(result.analysis, 'rawjson', true, result.stats.jsonLines > 0);
  }
  const analysis = parseBuildLog(text);
  const startShown = analysis.builder !== null || analysis.progress !== null || PLAIN_START.test(text);
  return reading(analysis, textFormat(analysis), startShown, analysis.format !== 'unknown' || analysis.error !== null);
}

/** Whether one of the first non-blank lines is a BuildKit SolveStatus object (`--progress=rawjson`). */
export function isRawJson(text: string): boolean {
  let seen = 0;
  let start = 0;
  while (start < text.length && seen < RAWJSON_SNIFF_LINES) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? Math.min(text.length, start + 64) : Math.min(end, start + 64)).trimStart();
    if (line !== '') {
      if (SOLVE_STATUS.test(line)) return true;
      seen++;
    }
    if (end < 0) break;
    start = end + 1;
  }
  return false;
}

/**
 * plain or tty as the parser saw it. A log of both (two pasted logs, one of each) is named by
 * most of its steps; text with neither (an error box alone) is plain text.
 */
function textFormat(a: BuildLogAnalysis): LogFormat {
  if (a.format === 'tty') return 'tty';
  if (a.format !== 'mixed') return 'plain';
  const numbered = a.steps.filter((s) => s.vertex !== null).length;
  const unnumbered = a.steps.length - numbered;
  if (numbered !== unnumbered) return numbered > unnumbered ? 'plain' : 'tty';
  return a.progress !== null ? 'tty' : 'plain';
}

function reading(a: BuildLogAnalysis, format: LogFormat, startShown: boolean, recognized: boolean): LogReading {
  const failing = failingStep(a);
  const summary: LogSummary = {
    format,
    driver: a.builder && a.builder.driver !== '' ? a.builder.driver : null,
    imported: a.cacheImport.status === 'not-requested' && !startShown ? 'unknown' : a.cacheImport.status,
    exported: a.cacheExport.exported ? true : a.cacheExport.attempted ? false : null,
    platforms: platformsOf(a),
    failed: a.error !== null || failing !== undefined,
    failedStep: a.error?.step ?? (failing ? stepTitle(failing) : null),
  };
  return { summary, recognized, startShown, analysis: a };
}

function platformsOf(a: BuildLogAnalysis): Record<string, LogPlatformSteps> {
  const out: Record<string, LogPlatformSteps> = {};
  const named = a.platforms.filter((p) => p.platform !== UNLABELLED_PLATFORM);
  const unlabelled = a.platforms.filter((p) => p.platform === UNLABELLED_PLATFORM);
  for (const p of [...named, ...unlabelled]) out[p.platform] = { steps: p.total, cached: p.cached };
  return out;
}

/** A Dockerfile step that failed (not one canceled because another failed). */
function failingStep(a: BuildLogAnalysis): BuildStep | undefined {
  const failed = a.steps.filter((s) => s.error !== null && !s.canceled);
  return failed.find((s) => s.error !== '') ?? failed[0];
}

/** `[linux/amd64 build1 5/5] RUN npm install`, as buildx titles a step. */
function stepTitle(s: BuildStep): string {
  return `[${[s.platform, s.stage, s.index].filter(Boolean).join(' ')}] ${s.instruction}`;
}

// ---------------------------------------------------------------------------------------------
// The Polish listing of `grader log` without --json.

const FORMAT_PL: Record<LogFormat, string> = {
  plain: 'plain (--progress=plain: wiersze #N)',
  tty: 'tty (--progress=tty: ramki „=>”, kody ANSI usunięte)',
  rawjson: 'rawjson (--progress=rawjson: obiekty JSON BuildKit)',
};

/** What `grader log FILE` prints: format, builder, cache import and export, CACHED per platform, failure. */
export function describeLog(r: LogReading, file: string): string[] {
  const { summary: s, analysis: a } = r;
  // Line numbers of a rawjson analysis point into its plain rendering, not into the file.
  const at = (n: number | undefined) => (n === undefined || s.format === 'rawjson' ? '' : ` (w. ${n})`);
  const out: string[] = [];
  out.push(`Log budowania: ${file}`);
  out.push(`Format: ${FORMAT_PL[s.format]}, wierszy: ${s.format === 'rawjson' ? `${a.lineCount} po odczytaniu JSON` : a.lineCount}`);

  if (a.builder && s.driver) out.push(`Builder: „${clean(a.builder.name)}”, sterownik ${clean(s.driver)}`);
  else if (s.format === 'rawjson') out.push('Sterownik buildera: log rawjson go nie podaje');
  else out.push('Sterownik buildera: nie widać w logu (brak wiersza „#0 building with …” i nagłówka tty z builderem)');

  out.push(`Import cache: ${describeImport(r)}${at(a.cacheImport.attempts[0]?.firstLine)}`);
  out.push(`Eksport cache: ${describeExport(a, s.exported)}${at(a.cacheExport.lines[0]?.n)}`);

  const platforms = Object.entries(s.platforms);
  out.push('Kroki Dockerfile (bez FROM i kroków [internal]):');
  if (platforms.length === 0) out.push('  log nie pokazuje kroków Dockerfile');
  for (const [platform, p] of platforms) {
    const name = platform === UNLABELLED_PLATFORM ? `${UNLABELLED_PLATFORM} (kroki bez platformy)` : platform;
    out.push(`  ${name}: ${p.cached}/${p.steps} ${p.steps === 1 ? 'kroku' : 'kroków'} CACHED`);
  }

  if (s.failed) {
    const where = s.failedStep ? ` w kroku „${clean(s.failedStep)}”` : '';
    const message = a.error?.message ?? failingStep(a)?.error ?? '';
    const highlighted = a.error?.lines.find((l) => l.highlight)?.n;
    out.push(`Wynik: budowanie nie powiodło się${where}${at(highlighted)}`);
    if (message !== '') out.push(`  ${clean(message, 300)}`);
  } else {
    out.push('Wynik: log nie pokazuje błędu budowania');
  }
  if (!r.recognized) out.push('Uwaga: w pliku nie rozpoznano logu docker buildx build.');
  return out;
}

function describeImport(r: LogReading): string {
  const i = r.analysis.cacheImport;
  const ref = i.ref ? `${clean(i.ref)}${i.refCut ? '… (ucięte)' : ''}` : null;
  switch (r.summary.imported) {
    case 'imported':
      return `zaimportowano${ref ? ` z ${ref}` : ''}`;
    case 'not-found':
      return `nie znaleziono obrazu cache${ref ? ` ${ref}` : ''} (typowe przy pierwszym budowaniu)`;
    case 'failed':
      return `nie powiódł się${ref ? ` (${ref})` : ''}${i.message ? `: ${clean(i.message)}` : r.summary.format === 'tty' ? ' (log tty nie podaje przyczyny; przy pierwszym budowaniu zwykle obrazu cache jeszcze nie ma)' : ''}`;
    case 'not-requested':
      return 'brak (budowanie nie używało --cache-from)';
    case 'unknown':
      return 'nie wiadomo: log nie pokazuje początku budowania, a w pokazanej części importu nie ma';
  }
}

function describeExport(a: BuildLogAnalysis, exported: boolean | null): string {
  const e = a.cacheExport;
  if (exported === true) return `wyeksportowano${e.manifestDigest ? `, manifest cache ${e.manifestDigest}` : ''}`;
  if (exported === false) {
    return e.error !== null
      ? `rozpoczęty, ale nieudany${e.error ? `: ${clean(e.error)}` : ''}`
      : 'rozpoczęty, ale log nie pokazuje zapisania manifestu cache (przerwany, CANCELED albo log się urywa)';
  }
  return 'brak w logu (budowanie nie używało --cache-to albo tej części logu nie ma)';
}

function clean(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
