/** Line-level helpers of the build-log parser: terminal clean-up and the shapes of single lines. */

/** Longer lines are cut: a log line is evidence, not data, and memory must stay flat. */
export const MAX_LINE_CHARS = 2000;

// CSI (colours, cursor moves, erase), OSC (titles, hyperlinks) and two-byte escapes.
// CSI `G` (cursor to column) works like a carriage return, so it becomes one.
const CSI_COLUMN = /\x1b\[[0-9;]*G/g;
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
const ESC2 = /\x1b[@-Z\\-_]?/g;
// Other C0 controls except tab; `\r` is handled before this runs.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Removes ANSI escape sequences and other control characters. */
export function stripAnsi(text: string): string {
  return text.replace(CSI, '').replace(OSC, '').replace(ESC2, '').replace(CONTROL, '');
}

/**
 * What a terminal would show for one raw line: escapes removed, `\r` (CRLF, and tty
 * redraws that return to column 0) resolved to the last non-empty segment, trailing
 * blanks trimmed, length bounded.
 */
export function normalizeLine(raw: string): string {
  let text = raw.length > MAX_LINE_CHARS * 2 ? raw.slice(0, MAX_LINE_CHARS * 2) : raw;
  text = text.replace(CSI_COLUMN, '\r');
  if (text.includes('\r')) {
    const segments = text.split('\r');
    let chosen = '';
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i] ?? '';
      if (stripAnsi(segment).trim() !== '') {
        chosen = segment;
        break;
      }
    }
    text = chosen;
  }
  text = stripAnsi(text).trimEnd();
  return text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) : text;
}

/** A parsed `[linux/arm64 build1 4/5]` label. */
export interface StepLabel {
  platform: string | null;
  stage: string | null;
  /** `4/5`; null for `[internal]`, `[linux/amd64 internal]`, `[auth]`. */
  index: string | null;
  indexNumber: number | null;
}

const PLATFORM_TOKEN = /^[a-z0-9]+\/[a-z0-9_.]+(?:\/[a-z0-9_.]+)?(?:->[a-z0-9_./]+)?$/;
const INDEX_TOKEN = /^(\d+)\/(\d+)$/;

/**
 * Parses the text inside the brackets. The Dockerfile frontend pads the index to the
 * width of the total (`[build1  2/12]`), so tokens are split on any run of spaces.
 */
export function parseStepLabel(inside: string): StepLabel {
  const tokens = inside.trim().split(/\s+/).filter((token) => token !== '');
  let platform: string | null = null;
  let stage: string | null = null;
  let index: string | null = null;
  let indexNumber: number | null = null;
  let rest = tokens;
  if (rest[0] !== undefined && PLATFORM_TOKEN.test(rest[0])) {
    platform = targetPlatform(rest[0]);
    rest = rest.slice(1);
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

/** `[label] rest` at the start of a vertex name. Null when there is no closed label. */
export function splitLabel(name: string): { label: string; rest: string } | null {
  const match = /^\[([^\]]+)\]\s?(.*)$/.exec(name);
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

export function parseTtyLine(line: string): TtyLine | null {
  const match = /^\s*=> (.*)$/.exec(line);
  if (!match) return null;
  let body = match[1] ?? '';
  let depth: 1 | 2 = 1;
  if (body.startsWith('=> ') || body === '=>') {
    depth = 2;
    body = body.slice(3);
  }
  if (depth === 2 && body.startsWith('#')) {
    return { depth, output: true, state: null, text: body.replace(/^# ?/, ''), cut: false };
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
  const stateMatch = /^(CACHED|ERROR|CANCELED) (.*)$/.exec(body);
  if (stateMatch && depth === 1) {
    state = stateMatch[1] as TtyLine['state'];
    body = stateMatch[2] ?? '';
  }
  return { depth, output: false, state, text: body.trimEnd(), cut };
}

/** `[+] Building 55.2s (28/28) FINISHED    docker:default`. */
export function parseTtyHeader(
  line: string,
): { seconds: number; completed: number; total: number; finished: boolean; builder: string | null } | null {
  const match = /^\[\+\] Building (\d+(?:\.\d+)?)s \((\d+)\/(\d+)\)(.*)$/.exec(line.trim());
  if (!match) return null;
  const tail = (match[4] ?? '').trim();
  const builder = /(\S+:\S+)$/.exec(tail)?.[1] ?? null;
  return {
    seconds: Number(match[1]),
    completed: Number(match[2]),
    total: Number(match[3]),
    finished: /\bFINISHED\b/.test(tail),
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
  | { kind: 'inferred-cache-type'; mediaType: string }
  | { kind: 'extracting' };

// Only whole digests count: a tty line cut at the terminal width yields none.
export function statusFact(text: string): StatusFact | null {
  let m = new RegExp(`^exporting manifest list (${DIGEST})\\b`).exec(text);
  if (m) return { kind: 'manifest-list', digest: m[1] ?? '' };
  m = new RegExp(`^exporting manifest (${DIGEST})\\b`).exec(text);
  if (m) return { kind: 'manifest', digest: m[1] ?? '' };
  m = new RegExp(`^pushing manifest for (\\S+)@(${DIGEST})\\b`).exec(text);
  if (m) return { kind: 'pushed', ref: m[1] ?? '', digest: m[2] ?? '' };
  m = /^writing cache manifest (sha256:[0-9a-f]*)/.exec(text);
  if (m) return { kind: 'cache-manifest', digest: new RegExp(`^${DIGEST}$`).test(m[1] ?? '') ? (m[1] ?? null) : null };
  m = /^inferred cache manifest type: (\S+)/.exec(text);
  if (m) return { kind: 'inferred-cache-type', mediaType: m[1] ?? '' };
  if (/^(extracting sha256:|sha256:[0-9a-f]+ \S+ \/ \S+)/.test(text)) return { kind: 'extracting' };
  return null;
}

/** `importing cache manifest from <ref>`; the ref may end in `:` in error boxes. */
export function importRef(name: string): string | null {
  const m = /^importing cache manifest from (\S+?):?$/.exec(name.trim());
  return m ? (m[1] ?? null) : null;
}

export function isCacheExportName(name: string): boolean {
  return /^exporting cache(?: to \S+)?$/.test(name.trim());
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
