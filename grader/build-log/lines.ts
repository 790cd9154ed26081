/** Line-level helpers of the build-log parser: terminal clean-up and the shapes of single lines. */

/** Longer lines are cut: a log line is evidence, not data, and memory must stay flat. */
export const MAX_LINE_CHARS = 2000;

// CSI (colours, cursor moves, erase), OSC (titles, hyperlinks) and two-byte escapes.
// CSI `G` (cursor to column) works like a carriage return, so it is treated as one.
const CSI_COLUMN = /\x1b\[[0-9;]*G/g;
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
const ESC2 = /\x1b[@-Z\\-_]?/g;
// Other C0 controls except tab; `\r` is handled before this runs.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
// Same class without `g`: `test()` on a global regex would carry lastIndex between calls.
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/**
 * Removes ANSI escape sequences and other control characters. The passes run in this
 * order (one removal can expose the next), but a pass is skipped when the character its
 * pattern must start with is absent: that is what makes a plain line cheap.
 */
export function stripAnsi(text: string): string {
  if (text.includes('\x1b')) {
    text = text.replace(CSI, '');
    if (text.includes('\x1b]')) text = text.replace(OSC, '');
    if (text.includes('\x1b')) text = text.replace(ESC2, '');
  }
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, '') : text;
}

/**
 * The text of one raw line: escapes removed, blanks trimmed at the end, length bounded.
 *
 * A line that goes on after a carriage return or a column move (`ESC[G`) says only what
 * it said before it. BuildKit writes `\r` only as part of CRLF (removed by the splitter)
 * and the tty display moves to column 0 only at the start of a frame, before any text; a
 * `\r` after text comes from a program a RUN step started, and the text after it must not
 * become a status line (`printf '#9 0.1 x\r#9 CACHED'` would be a forged cache hit).
 */
export function normalizeLine(raw: string): string {
  let text = raw.length > MAX_LINE_CHARS * 2 ? raw.slice(0, MAX_LINE_CHARS * 2) : raw;
  // Fast path (plain logs): ESC and `\r` are both in HAS_CONTROL, so without any control
  // character every step below except the trim is a no-op.
  if (HAS_CONTROL.test(text)) text = resolveTerminal(text);
  text = text.trimEnd();
  return text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) : text;
}

/** The slow part of normalizeLine: the first segment with visible text, then stripAnsi. */
function resolveTerminal(text: string): string {
  if (text.includes('\x1b')) text = text.replace(CSI_COLUMN, '\r');
  if (text.includes('\r')) {
    let chosen = '';
    for (const segment of text.split('\r')) {
      if (stripAnsi(segment).trim() !== '') {
        chosen = segment;
        break;
      }
    }
    text = chosen;
  }
  return stripAnsi(text);
}

// GitHub Actions and GitLab (`2024-01-02T03:04:05.1234567Z `, GitLab adds a stream tag
// `00O ` / `01E+ `) and Jenkins timestamper (`12:34:56 `, often two spaces) prefix every line.
const CI_PREFIX = /^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z(?: \d\d[OE]\+?)?(?: |$)|\d\d:\d\d:\d\d(?: {1,2}|$))/;

/**
 * A cleaned line without the timestamp a CI system put in front of it. Only the start of
 * the line is looked at, so a timestamp inside RUN output (`#9 0.1 12:00:00 #9 CACHED`)
 * stays part of that output.
 */
export function stripCiPrefix(text: string): string {
  const first = text.charCodeAt(0);
  if (first < 0x30 || first > 0x39) return text;
  const match = CI_PREFIX.exec(text);
  return match ? text.slice(match[0].length) : text;
}

/**
 * A copy of `text` that does not share memory with the string it was cut from. V8 makes
 * a substring a view of its parent: a line sliced from a 1 MiB read chunk and kept as
 * evidence would otherwise keep the whole chunk alive. Use it for every string the parser
 * keeps beyond the current line.
 */
export function keep(text: string): string {
  return (' ' + text).slice(1);
}

/** A parsed `[linux/arm64 build1 4/5]` label. */
export interface StepLabel {
  platform: string | null;
  stage: string | null;
  /** `4/5`; null for `[internal]`, `[linux/amd64 internal]`, `[auth]`. */
  index: string | null;
  indexNumber: number | null;
}

const BLANKS = /\s+/;
// The OS starts with a letter: `[2/4]` and `[ 1/11]` (no platform, no stage) are indexes.
const PLATFORM_TOKEN = /^[a-z][a-z0-9]*\/[a-z0-9_.]+(?:\/[a-z0-9_.]+)?(?:->[a-z0-9_./]+)?$/;
const INDEX_TOKEN = /^(\d+)\/(\d+)$/;

/**
 * Parses the text inside the brackets. The Dockerfile frontend pads the index to the
 * width of the total (`[build1  2/12]`), so tokens are split on any run of spaces.
 */
export function parseStepLabel(inside: string): StepLabel {
  const tokens = inside.trim().split(BLANKS).filter((token) => token !== '');
  let platform: string | null = null;
  let stage: string | null = null;
  let index: string | null = null;
  let indexNumber: number | null = null;
  let rest = tokens;
  if (rest[0] !== undefined && PLATFORM_TOKEN.test(rest[0])) {
    platform = targetPlatform(rest[0]);
    rest = rest.slice(1);
  } else if (rest[1] !== undefined && PLATFORM_TOKEN.test(rest[1])) {
    // `docker buildx bake` (and compose, which builds through bake) puts the target first:
    // `[app linux/amd64 prod 1/1]`. The target stays with the stage (`app prod`), as in the
    // same target's labels without a platform (`[app build1 3/4]`).
    platform = targetPlatform(rest[1]);
    rest = [rest[0]!, ...rest.slice(2)];
  }
  const last = rest[rest.length - 1];
  const indexMatch = last !== undefined ? INDEX_TOKEN.exec(last) : null;
  if (indexMatch) {
    index = `${indexMatch[1]}/${indexMatch[2]}`;
    indexNumber = Number(indexMatch[1]);
    rest = rest.slice(0, -1);
  }
  if (rest.length > 0) stage = rest.join(' ');
  return { platform, stage, index, indexNumber };
}

// A `FROM --platform=$BUILDPLATFORM` stage is labelled `linux/amd64->arm64`: it runs on
// the build platform for the target after the arrow, and the target is what the image
// variant is (buildkit frontend/dockerfile/dockerfile2llb/convert.go formatTargetPlatform).
function targetPlatform(token: string): string {
  const arrow = token.indexOf('->');
  if (arrow < 0) return token;
  const build = token.slice(0, arrow);
  const target = token.slice(arrow + 2);
  if (target.includes('/')) return target;
  const os = build.split('/')[0] ?? 'linux';
  return `${os}/${target}`;
}

const LABEL = /^\[([^\]]+)\]\s?(.*)$/;

/** `[label] rest` at the start of a vertex name. Null when there is no closed label. */
export function splitLabel(name: string): { label: string; rest: string } | null {
  if (!name.startsWith('[')) return null;
  const match = LABEL.exec(name);
  if (!match) return null;
  return { label: match[1] ?? '', rest: match[2] ?? '' };
}

/** One tty line: `=> CACHED [..] RUN ...   0.0s`, `=> => writing ...`, `=> => # output`. */
export interface TtyLine {
  depth: 1 | 2;
  /** Output of a RUN (`=> => # ...`): never classified. */
  output: boolean;
  state: 'CACHED' | 'ERROR' | 'CANCELED' | null;
  text: string;
  /** The line filled the terminal width, so `text` may be cut. */
  cut: boolean;
}

// Timers are printed as `%.1fs` and right-aligned after at least one space.
const TTY_TIMER = /^(.*?)( +)\d+\.\ds$/;
const TTY_LINE = /^\s*=> (.*)$/;
const TTY_OUTPUT_MARK = /^# ?/;
const TTY_STATE = /^(CACHED|ERROR|CANCELED) (.*)$/;

export function parseTtyLine(line: string): TtyLine | null {
  if (!line.includes('=> ')) return null;
  const match = TTY_LINE.exec(line);
  if (!match) return null;
  let body = match[1] ?? '';
  let depth: 1 | 2 = 1;
  if (body.startsWith('=> ') || body === '=>') {
    depth = 2;
    body = body.slice(3);
  }
  if (depth === 2 && body.startsWith('#')) {
    return { depth, output: true, state: null, text: body.replace(TTY_OUTPUT_MARK, ''), cut: false };
  }
  let cut = false;
  const timer = TTY_TIMER.exec(body);
  if (timer) {
    body = timer[1] ?? '';
    // The frontend pads every line to the terminal width; a name that had to be cut
    // leaves exactly the two-space minimum before the timer, a whole one leaves more.
    cut = (timer[2] ?? '').length <= 2;
  }
  let state: TtyLine['state'] = null;
  const stateMatch = TTY_STATE.exec(body);
  if (stateMatch && depth === 1) {
    state = stateMatch[1] as TtyLine['state'];
    body = stateMatch[2] ?? '';
  }
  return { depth, output: false, state, text: body.trimEnd(), cut };
}

const TTY_HEADER = /^\[\+\] Building (\d+(?:\.\d+)?)s \((\d+)\/(\d+)\)(.*)$/;
const TTY_HEADER_BUILDER = /(\S+:\S+)$/;
const TTY_HEADER_FINISHED = /\bFINISHED\b/;

export interface TtyHeader {
  seconds: number;
  completed: number;
  total: number;
  finished: boolean;
  builder: string | null;
}

/** `[+] Building 55.2s (28/28) FINISHED    docker:default`. */
export function parseTtyHeader(line: string): TtyHeader | null {
  if (!line.includes('[+] Building ')) return null;
  const match = TTY_HEADER.exec(line.trim());
  if (!match) return null;
  const tail = (match[4] ?? '').trim();
  const builder = TTY_HEADER_BUILDER.exec(tail)?.[1] ?? null;
  return {
    seconds: Number(match[1]),
    completed: Number(match[2]),
    total: Number(match[3]),
    finished: TTY_HEADER_FINISHED.test(tail),
    builder,
  };
}

const DIGEST = 'sha256:[0-9a-f]{64}';

/** Status text that carries a digest or cache fact, in either format. */
export type StatusFact =
  | { kind: 'manifest-list'; digest: string }
  | { kind: 'manifest'; digest: string }
  | { kind: 'pushed'; ref: string; digest: string }
  /** digest is null when a tty line cut it: the manifest was still written. */
  | { kind: 'cache-manifest'; digest: string | null }
  /** `writing manifest sha256:...`: old BuildKit's cache export wording; a cache fact only under `exporting cache`. */
  | { kind: 'manifest-written'; digest: string | null }
  | { kind: 'inferred-cache-type'; mediaType: string }
  | { kind: 'extracting' };

const MANIFEST_LIST = new RegExp(`^exporting manifest list (${DIGEST})\\b`);
const MANIFEST = new RegExp(`^exporting manifest (${DIGEST})\\b`);
const PUSHED = new RegExp(`^pushing manifest for (\\S+)@(${DIGEST})\\b`);
// BuildKit >= 0.21 writes the cache as an image manifest and says so: `writing cache image manifest`.
const CACHE_MANIFEST = /^writing cache (?:image )?manifest (sha256:[0-9a-f]*)/;
const MANIFEST_WRITTEN = /^writing manifest (sha256:[0-9a-f]*)/;
const WHOLE_DIGEST = new RegExp(`^${DIGEST}$`);
const INFERRED_CACHE_TYPE = /^inferred cache manifest type: (\S+)/;
const EXTRACTING = /^(extracting sha256:|sha256:[0-9a-f]+ \S+ \/ \S+)/;

// Only whole digests count: a tty line cut at the terminal width yields none.
export function statusFact(text: string): StatusFact | null {
  // Every fact starts with one of these letters; most status lines (and all RUN output)
  // start with something else and need no regex at all.
  switch (text.charCodeAt(0)) {
    case 0x65 /* e */: {
      let m = MANIFEST_LIST.exec(text);
      if (m) return { kind: 'manifest-list', digest: m[1] ?? '' };
      m = MANIFEST.exec(text);
      if (m) return { kind: 'manifest', digest: m[1] ?? '' };
      break;
    }
    case 0x70 /* p */: {
      const m = PUSHED.exec(text);
      if (m) return { kind: 'pushed', ref: m[1] ?? '', digest: m[2] ?? '' };
      return null;
    }
    case 0x77 /* w */: {
      const m = CACHE_MANIFEST.exec(text);
      if (m) return { kind: 'cache-manifest', digest: WHOLE_DIGEST.test(m[1] ?? '') ? (m[1] ?? null) : null };
      const w = MANIFEST_WRITTEN.exec(text);
      if (w) return { kind: 'manifest-written', digest: WHOLE_DIGEST.test(w[1] ?? '') ? (w[1] ?? null) : null };
      return null;
    }
    case 0x69 /* i */: {
      const m = INFERRED_CACHE_TYPE.exec(text);
      if (m) return { kind: 'inferred-cache-type', mediaType: m[1] ?? '' };
      return null;
    }
    case 0x73 /* s */:
      break;
    default:
      return null;
  }
  // `e`xtracting or `s`ha256.
  return EXTRACTING.test(text) ? { kind: 'extracting' } : null;
}

/** `importing cache manifest from <ref>`; the ref may end in `:` in error boxes. */
const IMPORT_REF = /^importing cache manifest from (\S+?):?$/;
// `exporting cache` (old), `exporting cache to registry`, buildctl's `exporting content cache`,
// and the gha backend's own name.
const CACHE_EXPORT_NAME = /^exporting (?:content )?cache(?: to \S+)?$|^exporting to GitHub Actions Cache$/;

export function importRef(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed.startsWith('importing cache manifest from ')) return null;
  const m = IMPORT_REF.exec(trimmed);
  return m ? (m[1] ?? null) : null;
}

export function isCacheExportName(name: string): boolean {
  const trimmed = name.trim();
  return trimmed.startsWith('exporting ') && CACHE_EXPORT_NAME.test(trimmed);
}

/** Pulls `exit code: N` and the `process "..."` command out of an error message. */
export function exitDetails(message: string): { exitCode: number | null; command: string | null } {
  const code = /exit code: (\d+)/.exec(message);
  const command = /process "((?:[^"\\]|\\.)*)" did not complete successfully/.exec(message);
  return {
    exitCode: code ? Number(code[1]) : null,
    command: command ? (command[1] ?? '').replace(/\\"/g, '"') : null,
  };
}
