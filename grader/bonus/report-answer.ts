/**
 * The deletion answer written in a report, as a script the sandbox can run against the registry7
 * copy (issue 11, point 4). The report's registry requests (curl) and the variables set before
 * them are taken in report order, up to the last DELETE of a manifest, and moved onto the copy:
 * the host becomes registry7:5000 and the student's repositories get their names in the copy.
 *
 * A digest the student copied from the screen (a literal sha256, `$DIGEST` never set in the
 * report, `<digest>`) differs in the copy, so the script reads it the way the report shows it was
 * read: from the output of the report's own HEAD/GET of that manifest (with the student's Accept
 * headers, so a wrong header still fails), or, after `docker buildx imagetools inspect`/`crane`/
 * `skopeo`/`regctl` or from the digest the build printed, with every manifest type accepted, as
 * those tools do. Pure.
 */
import { sourceText as at } from '../commands/describe.ts';
import type { ParsedCommand, SourceRef } from '../commands/types.ts';
import { registryRequestOf, toolDeletionOf } from '../commands/http.ts';
import { splitTag } from '../grade/student-build.ts';
import { MANIFEST_ACCEPT } from '../registry/oci-types.ts';
import { plural } from '../submission/json-input.ts';

/** A repository of the student's build command (path without host and tag) and its name in the copy. */
export interface RepositoryMapping {
  student: string;
  copy: string;
}

export interface ReportAnswerInput {
  /** Commands typed in the report (not OCR), in report order. */
  commands: readonly ParsedCommand[];
  repositories: readonly RepositoryMapping[];
  /** The cache image in the copy, for a digest taken from the build's output. */
  cache: { repository: string; tag: string };
  /** Cache manifest digests printed by the builds pasted in the report (`writing cache image manifest sha256:...`). */
  exportedCacheDigests: readonly string[];
}

export interface AnswerLine {
  source: SourceRef;
  /** The student's logical line as written. */
  text: string;
  /** What the sandbox runs for it (shell lines). */
  script: string[];
}

export type ReportAnswer =
  /** No DELETE of a manifest in the report. */
  | { kind: 'none' }
  | { kind: 'script'; label: string; text: string; lines: AnswerLine[]; notes: string[] }
  /** A DELETE is there, but cannot be run: `fail` when the report lacks a part, `manual` when the sandbox cannot run its tool. */
  | { kind: 'unreplayable'; label: string; status: 'fail' | 'manual'; reason: string; notes: string[] };

/** The copy as the sandbox reaches it. */
export const COPY_HOST = 'registry7:5000';

const VAR = String.raw`\$\{?[A-Za-z_]\w*\}?`;
const SEGMENT = String.raw`(?:[A-Za-z0-9._-]+|${VAR})`;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** What may stand before `/v2/` as the registry: host[:port], or a variable. */
const HOST_TOKEN = new RegExp(String.raw`^(?:[A-Za-z0-9.-]+|${VAR})(?::(?:\d+|${VAR}))?$`);
const HOST_CHAR = /[A-Za-z0-9.:${}_-]/;
/** `<name>/<kind>/<reference>` right after `/v2/` (sticky: matched where it starts, never searched for). */
const PATH_AFTER_V2 = new RegExp(
  String.raw`(${SEGMENT}(?:\/${SEGMENT})*?)\/(manifests|tags|blobs)\/(sha256:[0-9a-f]{64}|${VAR}|<[^<>\s]*>|[A-Za-z0-9_][A-Za-z0-9._-]*)?`,
  'y',
);
/** A request line longer than this is no answer anyone typed; past it, it is not replayed (and not scanned). */
export const MAX_LINE = 4096;
const DIGEST_TOOLS: { test: (argv: readonly string[]) => boolean; name: string }[] = [
  { name: 'docker buildx imagetools inspect', test: (a) => /^docker(?:\.exe)?$/i.test(a[0] ?? '') && a[1] === 'buildx' && a[2] === 'imagetools' && a[3] === 'inspect' },
  { name: 'crane', test: (a) => a[0] === 'crane' && (a[1] === 'digest' || a[1] === 'manifest') },
  { name: 'skopeo inspect', test: (a) => a[0] === 'skopeo' && a[1] === 'inspect' },
  { name: 'regctl', test: (a) => a[0] === 'regctl' && (a[1] === 'image' || a[1] === 'manifest') },
];
const ALL_TYPES = MANIFEST_ACCEPT.join(', ');

interface Line {
  source: SourceRef;
  text: string;
  commands: ParsedCommand[];
}

type Classified =
  | { kind: 'request'; line: Line; method: string; repository: string | null; reference: string | null; tool: 'curl' | 'wget' | 'powershell' }
  | { kind: 'assign'; line: Line; names: string[]; copiedDigest: boolean }
  | { kind: 'digest-tool'; line: Line; tool: string; repository: string; tag: string }
  | { kind: 'tool-delete'; line: Line; tool: string; replayable: boolean; repository: string; tag: string };

export function reportAnswer(input: ReportAnswerInput): ReportAnswer {
  const all = logicalLines(input.commands);
  const lines = all.filter((l) => l.text.length <= MAX_LINE).flatMap((l) => classify(l) ?? []);
  let lastDelete = -1;
  lines.forEach((l, i) => {
    if ((l.kind === 'request' && l.method === 'DELETE' && l.reference !== null) || l.kind === 'tool-delete') lastDelete = i;
  });
  if (lastDelete < 0) return { kind: 'none' };
  const used = lines.slice(0, lastDelete + 1);
  const label = labelOf(used.filter((l) => l.kind === 'request' || l.kind === 'tool-delete').map((l) => l.line.source));
  const notes: string[] = [];
  const deleteBy = (curl: boolean) => used.find((l): l is Extract<Classified, { kind: 'request' }> => l.kind === 'request' && l.method === 'DELETE' && (l.tool === 'curl') === curl);
  const foreign = deleteBy(false);
  const tools = used.filter((l): l is Extract<Classified, { kind: 'tool-delete' }> => l.kind === 'tool-delete');
  const otherTool = tools.find((t) => !t.replayable);
  if (otherTool && !deleteBy(true) && !tools.some((t) => t.replayable)) {
    return {
      kind: 'unreplayable', label, status: 'manual', notes,
      reason: otherTool.tool === 'skopeo delete'
        ? `usuwanie w sprawozdaniu (${at(otherTool.line.source)}) wskazuje obraz digestem z maszyny studenta, którego w kopii registry7 nie ma; odpowiedź oceni prowadzący`
        : `usuwanie w sprawozdaniu (${at(otherTool.line.source)}) używa narzędzia ${otherTool.tool}, którego piaskownica nie ma; odpowiedź oceni prowadzący`,
    };
  }
  if (foreign && !deleteBy(true) && tools.length === 0) {
    return {
      kind: 'unreplayable', label, status: 'manual', notes,
      reason: `usuwanie w sprawozdaniu (${at(foreign.line.source)}) używa ${foreign.tool === 'powershell' ? 'PowerShella (Invoke-WebRequest/Invoke-RestMethod)' : 'wget'}, którego piaskownica nie uruchamia; odpowiedź oceni prowadzący`,
    };
  }
  const long = all.filter((l) => l.text.length > MAX_LINE);
  if (long.length) notes.push(`Pominięto ${long.length} ${plural(long.length, 'polecenie dłuższe', 'polecenia dłuższe', 'poleceń dłuższych')} niż ${MAX_LINE} znaków (${long.slice(0, 3).map((l) => at(l.source)).join('; ')}).`);
  const map = new Map(input.repositories.map((r) => [r.student, r.copy]));
  const plan = planDigests(used, input, notes);
  const out: AnswerLine[] = [];
  let deletes = 0;
  used.forEach((l, i) => {
    if (l.kind === 'digest-tool') return;
    if (l.kind === 'tool-delete') {
      if (!l.replayable) {
        notes.push(`Pominięto polecenie (${at(l.line.source)}): piaskownica nie ma narzędzia ${l.tool}.`);
        return;
      }
      // What skopeo delete does: the digest of the tag with every manifest type accepted, then DELETE by that digest.
      const variable = `GRADER_TOOL_DIGEST_${i}`;
      const url = `http://${COPY_HOST}/v2/${map.get(l.repository) ?? l.repository}/manifests`;
      deletes++;
      notes.push(`Polecenie (${at(l.line.source)}): ${l.tool} przetłumaczono na curl tak, jak działa to narzędzie: HEAD z nagłówkiem Accept wszystkich typów manifestu, potem DELETE po digeście.`);
      out.push({
        source: l.line.source, text: l.line.text,
        script: [`${variable}=$(curl -sI -H 'Accept: ${ALL_TYPES}' '${url}/${l.tag}' | ${EXTRACT})`, `curl -sS -i -X DELETE "${url}/$${variable}"`],
      });
      return;
    }
    if (l.kind === 'request' && l.tool !== 'curl') {
      notes.push(`Pominięto polecenie (${at(l.line.source)}): piaskownica uruchamia tylko curl.`);
      return;
    }
    if (l.kind === 'assign') {
      if (l.copiedDigest) {
        notes.push(`Pominięto polecenie (${at(l.line.source)}): digest wpisany na stałe pochodzi z maszyny studenta; w kopii registry7 odczytuje go polecenie, którym student go poznał.`);
        return;
      }
      out.push({ source: l.line.source, text: l.line.text, script: [rewriteUrls(rewriteAssignment(stripWrapper(l.line.text), map), map, plan.assigned, notes, l.line.source)] });
      return;
    }
    const text = rewriteUrls(stripWrapper(l.line.text), map, plan.assigned, notes, l.line.source);
    const captures = plan.captures.get(i);
    if (captures) {
      // The student's own command, its output shown as on their screen, the digest taken from it.
      const outVar = `GRADER_OUT_${captures[0]}`;
      out.push({
        source: l.line.source, text: l.line.text,
        script: [`${outVar}=$( { ${text} ; } 2>&1 ); printf '%s\\n' "$${outVar}"`, ...captures.map((v) => `${v}=$(printf '%s\\n' "$${outVar}" | ${EXTRACT})`)],
      });
      return;
    }
    if (l.method !== 'DELETE') {
      out.push({ source: l.line.source, text: l.line.text, script: [text] });
      return;
    }
    const d = plan.deletes.get(i);
    if (d === null) return;
    deletes++;
    const script = d?.read ? [readAllTypes(d.read, d.variable, map, input)] : [];
    script.push(d && d.replace ? text.split(`/manifests/${d.replace}`).join(`/manifests/$${d.variable}`) : text);
    out.push({ source: l.line.source, text: l.line.text, script });
  });
  if (deletes === 0) {
    return { kind: 'unreplayable', label, status: 'fail', notes, reason: 'żadnego polecenia DELETE ze sprawozdania nie da się powtórzyć na kopii registry7 (powody poniżej)' };
  }
  const scriptLabel = labelOf(out.map((l) => l.source));
  const text = [
    `# Odpowiedź ze sprawozdania (${scriptLabel}), przepisana przez grader na kopię registry7 (${COPY_HOST}).`,
    ...out.flatMap((l) => [`# ${at(l.source)}`, ...l.script]),
    '',
  ].join('\n');
  return { kind: 'script', label: scriptLabel, text, lines: out, notes };
}

interface DigestPlan {
  /** Variables the report sets itself (its own lines, and the ones the grader fills for it). */
  assigned: Set<string>;
  /** Index of a request line → variables to fill from its output. */
  captures: Map<number, string[]>;
  /** Index of a DELETE → the variable it uses and how it is filled; null: it cannot run. */
  deletes: Map<number, { variable: string; replace?: string; read?: Extract<DigestRead, { kind: 'tool' | 'build' }> } | null>;
}

/** For each DELETE whose digest the student copied by hand: where the script reads it instead. */
function planDigests(used: readonly Classified[], input: ReportAnswerInput, notes: string[]): DigestPlan {
  const plan: DigestPlan = { assigned: new Set(), captures: new Map(), deletes: new Map() };
  let generated = 0;
  used.forEach((l, i) => {
    if (l.kind === 'assign' && !l.copiedDigest) l.names.forEach((n) => plan.assigned.add(n));
    if (l.kind !== 'request' || l.method !== 'DELETE' || l.reference === null || !needsDigest(l.reference, plan.assigned)) return;
    const ref = l.reference;
    const read = digestSource(used.slice(0, i), l, input);
    if (!read) {
      plan.deletes.set(i, null);
      notes.push(`Nie uruchomiono polecenia (${at(l.line.source)}): sprawozdanie nie pokazuje, jak odczytano digest ${ref || '(pusty)'} (HEAD/GET manifestu z nagłówkiem Accept, docker buildx imagetools inspect); w kopii registry7 obraz cache ma inny digest niż u studenta.`);
      return;
    }
    const variable = /^\$/.test(ref) ? ref.replace(/^\$\{?|\}?$/g, '') : `GRADER_DIGEST_${++generated}`;
    plan.assigned.add(variable);
    const replace = /^\$/.test(ref) ? undefined : ref;
    if (read.kind === 'request') {
      plan.captures.set(read.index, [...(plan.captures.get(read.index) ?? []), variable]);
      plan.deletes.set(i, { variable, ...(replace !== undefined ? { replace } : {}) });
      notes.push(`Polecenie (${at(l.line.source)}): digest ${ref || '(pusty)'} odczytano z wyjścia polecenia (${at(used[read.index]!.line.source)}), tak jak student przepisał go z ekranu.`);
      return;
    }
    plan.deletes.set(i, { variable, read, ...(replace !== undefined ? { replace } : {}) });
    notes.push(read.kind === 'tool'
      ? `Polecenie (${at(l.line.source)}): digest ${ref || '(pusty)'} odczytano tak jak ${read.tool} (${at(used[read.index]!.line.source)}): z nagłówkiem Accept wszystkich typów manifestu.`
      : `Polecenie (${at(l.line.source)}): digest ${ref} to digest manifestu cache wypisany przez budowanie w sprawozdaniu; w kopii odczytano digest tego samego obrazu cache.`);
  });
  return plan;
}

/** Commands grouped back into the logical lines they came from (several commands share one line). */
function logicalLines(commands: readonly ParsedCommand[]): Line[] {
  const byKey = new Map<string, Line>();
  for (const c of commands) {
    const key = `${c.source.file}\0${c.source.item ?? ''}\0${c.source.line}`;
    const l = byKey.get(key);
    if (!l) byKey.set(key, { source: c.source, text: c.text, commands: [c] });
    else {
      l.commands.push(c);
      // Commands inside $(...) carry only the substitution's text; the outer one has the whole line.
      if (c.text.length > l.text.length) l.text = c.text;
    }
  }
  return [...byKey.values()];
}

function classify(line: Line): Classified | undefined {
  // `DIGEST=$(curl ...)` sets a variable: the curl inside it is part of the assignment.
  const assigns = line.commands.flatMap((c) => (c.argv.length === 0 ? Object.entries(c.env) : c.argv[0] === 'export' ? c.argv.slice(1).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] as [string, string]) : []));
  if (assigns.length > 0) return { kind: 'assign', line, names: assigns.map(([n]) => n), copiedDigest: assigns.some(([, v]) => DIGEST.test(v.trim())) };
  const requests = line.commands.map(registryRequestOf).filter((r) => r !== null);
  const main = requests.find((r) => r.method === 'DELETE' && r.manifest) ?? requests.find((r) => r.manifest) ?? requests[0];
  if (main) {
    return { kind: 'request', line, method: main.method, tool: main.tool, repository: main.manifest?.repository ?? null, reference: main.manifest ? main.manifest.reference : null };
  }
  for (const c of line.commands) {
    const deleting = toolDeletionOf(c);
    const deleted = deleting ? splitRef(deleting.target) : undefined;
    // Only skopeo is translated (to what it does); by `@sha256:` the digest is the student's machine's, the copy's differs.
    if (deleting && deleted) return { kind: 'tool-delete', line, tool: deleting.tool, replayable: deleting.tool === 'skopeo delete' && !deleting.target.includes('@'), ...deleted };
    const tool = DIGEST_TOOLS.find((t) => t.test(c.argv));
    const ref = tool ? c.argv.slice(1).find((w) => !w.startsWith('-') && /\//.test(w)) : undefined;
    const parsed = ref ? splitRef(ref.replace(/^docker:\/\//, '')) : undefined;
    if (tool && parsed) return { kind: 'digest-tool', line, tool: tool.name, ...parsed };
  }
  return undefined;
}

/** `host:port/path:tag` → path without the host, and the tag (latest when implicit). */
function splitRef(ref: string): { repository: string; tag: string } | undefined {
  const { name, tag } = splitTag(ref);
  const parts = name.split('/');
  if (parts.length > 1 && /[.:$]|^localhost$/.test(parts[0]!)) parts.shift();
  return TAG.test(tag) && parts.length > 0 ? { repository: parts.join('/'), tag } : undefined;
}

/** The repository path of a student's ref as written (for building the mapping). */
export function studentRepository(ref: string): string | undefined {
  return splitRef(ref)?.repository;
}

/** A reference the student must have copied by hand: a digest, a variable the report never sets, a `<placeholder>`. */
function needsDigest(ref: string, assigned: ReadonlySet<string>): boolean {
  if (DIGEST.test(ref) || /^<.*>$/.test(ref) || ref === '') return true;
  const v = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(ref);
  return v !== null && !assigned.has(v[1]!);
}

type DigestRead =
  | { kind: 'request'; index: number }
  | { kind: 'tool'; index: number; tool: string; repository: string; tag: string }
  | { kind: 'build' };

/** Where the student took the digest from: the nearest earlier read of the same repository. */
function digestSource(before: readonly Classified[], del: Extract<Classified, { kind: 'request' }>, input: ReportAnswerInput): DigestRead | undefined {
  if (del.reference && DIGEST.test(del.reference) && input.exportedCacheDigests.includes(del.reference)) return { kind: 'build' };
  for (let i = before.length - 1; i >= 0; i--) {
    const b = before[i]!;
    if (b.kind === 'request' && b.tool === 'curl' && b.method !== 'DELETE' && b.repository === del.repository && b.reference !== null && (TAG.test(b.reference) || /^\$\{?[A-Za-z_]\w*\}?$/.test(b.reference))) return { kind: 'request', index: i };
    if (b.kind === 'digest-tool' && b.repository === del.repository) return { kind: 'tool', index: i, tool: b.tool, repository: b.repository, tag: b.tag };
  }
  return undefined;
}

const EXTRACT = `tr -d '\\r' | grep -io 'docker-content-digest: *sha256:[0-9a-f]*' | head -n 1 | sed 's/^[^:]*: *//'`;

/** The digest as a tool that accepts every manifest type reads it (imagetools, crane), or of the copy's cache. */
function readAllTypes(read: Extract<DigestRead, { kind: 'tool' | 'build' }>, variable: string, map: ReadonlyMap<string, string>, input: ReportAnswerInput): string {
  const target = read.kind === 'tool' ? { repository: map.get(read.repository) ?? read.repository, tag: read.tag } : input.cache;
  return `${variable}=$(curl -sI -H 'Accept: ${ALL_TYPES}' 'http://${COPY_HOST}/v2/${target.repository}/manifests/${target.tag}' | ${EXTRACT})`;
}

/** `sudo` and Windows' `curl.exe` do not exist in the sandbox; the request is the same without them. */
function stripWrapper(text: string): string {
  return text.replace(/(^|[;&|(]\s*|\$\(\s*)sudo\s+/g, '$1').replace(/\bcurl\.exe\b/gi, 'curl');
}

/**
 * Every `[scheme]host/v2/...` of the text moved onto the copy: the host becomes registry7:5000,
 * a repository of the build command its name in the copy. Found from each `/v2/` with bounded
 * looks back and ahead, so a hostile line costs linear time (a regular expression scanning for
 * the host from every position is quadratic).
 */
function rewriteUrls(text: string, map: ReadonlyMap<string, string>, assigned: ReadonlySet<string>, notes: string[], source: SourceRef): string {
  let out = '';
  let copied = 0;
  for (let i = text.indexOf('/v2/'); i >= 0; i = text.indexOf('/v2/', i + 1)) {
    if (i < copied) continue;
    let h = i;
    while (h > copied && i - h < 300 && HOST_CHAR.test(text[h - 1]!)) h--;
    const host = text.slice(h, i);
    if (!HOST_TOKEN.test(host)) continue;
    const scheme = /https?:\/\/$/.exec(text.slice(Math.max(copied, h - 8), h))?.[0] ?? '';
    PATH_AFTER_V2.lastIndex = 0;
    const path = PATH_AFTER_V2.exec(text.slice(i + 4, i + 4 + 1024));
    let rest = '';
    if (path) {
      const [, repo, kind, ref] = path as unknown as [string, string, string, string | undefined];
      let copy = repo;
      if (!repo.includes('$')) {
        const mapped = map.get(repo);
        if (mapped) copy = mapped;
        else notes.push(`${at(source)}: repozytorium ${repo} nie występuje w poleceniu budowania, więc nie ma go w kopii registry7.`);
      }
      rest = `${copy}/${kind}/${ref ?? ''}`;
    }
    out += text.slice(copied, h - scheme.length) + hostOnCopy(scheme, host, assigned) + '/v2/' + rest;
    copied = i + 4 + (path ? path[0].length : 0);
  }
  return out + text.slice(copied);
}

function hostOnCopy(scheme: string, host: string, assigned: ReadonlySet<string>): string {
  const variable = /^\$\{?([A-Za-z_]\w*)\}?/.exec(host);
  if (variable && assigned.has(variable[1]!)) return `${scheme}${host}`;
  // An unset variable in the host stands for the student's registry: the copy's address, with a scheme when it had none.
  if (variable && !scheme) return `http://${COPY_HOST}`;
  return `${scheme}${COPY_HOST}`;
}

/** `REGISTRY=localhost:5000`, `URL=http://localhost:5000`, `REPO=s99656/pogoda`: values that name the student's registry or repositories. */
function rewriteAssignment(text: string, map: ReadonlyMap<string, string>): string {
  return text.replace(/(\b[A-Za-z_]\w*=)(["']?)([^"'\s;&|]*)\2/g, (whole, name: string, q: string, value: string) => {
    const host = /^(https?:\/\/)?[A-Za-z0-9.-]+(?::\d+)?(\/v2)?\/?$/.exec(value);
    if (host && (value.includes(':') || /^localhost|^registry7/.test(value))) return `${name}${q}${host[1] ?? ''}${COPY_HOST}${host[2] ?? ''}${q}`;
    const mapped = map.get(value);
    return mapped ? `${name}${q}${mapped}${q}` : whole;
  });
}

/** `sprawozdanie.md, wiersze 139–145` (per file). */
function labelOf(sources: readonly SourceRef[]): string {
  const byFile = new Map<string, number[]>();
  for (const s of sources) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s.line]);
  return [...byFile].map(([file, lines]) => {
    const lo = Math.min(...lines);
    const hi = Math.max(...lines);
    return lo === hi ? `${file}, wiersz ${lo}` : `${file}, wiersze ${lo}–${hi}`;
  }).join('; ');
}
