/**
 * Which lines of a report are pasted program output, one line at a time. A strong line is output
 * by itself (`#12 CACHED`, `HTTP/1.1 202 Accepted`, `Platform: linux/arm64`); a weak line only
 * next to strong ones (`Name: ...`, `------`, a JSON brace, a header). Every pattern is anchored
 * or bounded, so a line costs time linear in its length.
 */

export type LineKind = 'build-log' | 'manifest' | 'registry' | 'gc' | 'builders' | 'containers' | 'digest';

export interface LineClass {
  strong: boolean;
  /** Null for a weak line that several outputs share (a JSON brace, a header). */
  kind: LineKind | null;
}

/** A line standing for lines left out: `...`, `…`, `(...)`, `[...]`. */
const GAP = /^\s*(?:\.{3,}|…|\(\s*\.{3}\s*\)|\[\s*\.{3}\s*\])\s*$/;
const ANNOTATION = /\s(?:<-{1,3}|<={1,3}|←)(?:\s|$)/;

const STRONG: readonly (readonly [RegExp, LineKind])[] = [
  [/^#\d+ \S/, 'build-log'],
  [/^\s*=> \S/, 'build-log'],
  [/^\[\+\] Building \d/, 'build-log'],
  [/^(?:ERROR|error): failed to (?:solve|build)\b/, 'build-log'],
  [/^\s*sha256:[0-9a-f]{64}\s*$/, 'digest'],
  [/^\s*Platform:\s+[A-Za-z0-9]+\/[A-Za-z0-9]/, 'manifest'],
  [/^\s*MediaType:\s+application\//, 'manifest'],
  [/^\s*\{\s*"errors"\s*:/, 'registry'],
  [/^\s*\{\s*"name"\s*:\s*"[^"]*"\s*,\s*"tags"\s*:/, 'registry'],
  [/^\s*\{\s*"repositories"\s*:/, 'registry'],
  [/"mediaType"\s*:\s*"application\/vnd\./, 'manifest'],
  [/"architecture"\s*:\s*"/, 'manifest'],
  [/"schemaVersion"\s*:\s*\d/, 'manifest'],
  [/^(?:< )?HTTP\/\d(?:\.\d)? \d{3}\b/, 'registry'],
  [/^> (?:GET|HEAD|DELETE|PUT|POST|PATCH) \S+ HTTP\/\d/, 'registry'],
  [/^\s*StatusCode\s*:\s*\d{3}\s*$/, 'registry'],
  [/^(?:< )?docker-content-digest:\s*sha256:/i, 'registry'],
  [/^(?:< )?docker-distribution-api-version:/i, 'registry'],
  [/: marking (?:manifest|blob) sha256:/, 'gc'],
  [/^blob eligible for deletion: /, 'gc'],
  [/^\d+ blobs marked, \d+ blobs/, 'gc'],
  [/Deleting blob: /, 'gc'],
  [/^NAME\/NODE\s+DRIVER\/ENDPOINT/, 'builders'],
  [/^Driver:\s+(?:docker-container|docker|kubernetes|remote)\s*$/, 'builders'],
  [/^[\w.-]+(?:\s*\*)?\s+(?:docker-container|kubernetes|remote|docker)\s*$/, 'builders'],
  [/^CONTAINER ID\s+IMAGE\s/, 'containers'],
];

const WEAK: readonly (readonly [RegExp, LineKind | null])[] = [
  // Build log: error boxes, Dockerfile excerpts, buildx's own notes, parts left out by hand.
  [/^-{5,}\s*$/, 'build-log'],
  [/^\s?> (?:\[[^\]]*\]|importing |exporting |resolve )/, 'build-log'],
  [/^\s*\d+ \| /, 'build-log'],
  [/^Dockerfile[\w.-]*:\d+\s*$/, 'build-log'],
  [/^(?:View build details|WARNING): /, 'build-log'],
  [GAP, null],
  [/^(?:ERROR|Error|error)(?:\[\d+\])?:? /, null],
  // imagetools inspect, docker buildx inspect.
  [/^\s*(?:Name|Digest|Manifests|Annotations|MediaType|Platform):/, 'manifest'],
  [/^\s+vnd\.docker\.reference\./, 'manifest'],
  [/^(?:Last Activity|Nodes|Endpoint|Status|BuildKit version|Buildkit|Platforms|Driver Options|Labels|GC Policy):/, 'builders'],
  [/^\s*(?:\\_|_)\s+\S/, 'builders'],
  [/^[0-9a-f]{12}\s+\S/, 'containers'],
  // JSON and HTTP: shared by manifests and registry answers.
  [/^\s*[[\]{}],?\s*$/, null],
  [/^\s*\},?\s*\{\s*$/, null],
  [/^\s*"[^"]{1,100}"\s*:/, null],
  [/^(?:< )?[A-Za-z][\w-]{0,40}: \S/, null],
  [/^\s*[A-Za-z]\w{0,30}\s+: /, null],
  [/^(?:< |\* |> [\w-]{1,40}: )/, 'registry'],
  // registry garbage-collect and other logrus output.
  [/^time="[^"]{0,40}" level=/, 'gc'],
  [/^(?:INFO|WARN|ERRO|DEBU)\[\d+\]/, 'gc'],
];

/** Null: the line is not output (prose, a command, blank). */
export function classifyOutputLine(line: string): LineClass | null {
  if (line.trim() === '') return null;
  for (const [re, kind] of STRONG) if (re.test(line)) return { strong: true, kind };
  for (const [re, kind] of WEAK) if (re.test(line)) return { strong: false, kind };
  return null;
}

/** A line a student left out (`...`, `(...)`, `[...]`) or wrote a comment into (`<--`, `←`). */
export function editSign(line: string): 'gap' | 'annotation' | null {
  if (GAP.test(line)) return 'gap';
  if (ANNOTATION.test(line)) return 'annotation';
  return null;
}
