/**
 * The student's own `docker buildx build`, turned into the command the grader reproduces: the
 * flags that define the lab's behaviour are kept, every registry reference is moved into the
 * grader's registry7 (equal refs stay equal, different ones stay different), and everything else
 * is dropped with a note for the report. Pure: paths are checked on disk by the caller.
 *
 * Only values built here from checked parts reach the buildx argv; the student's raw text never does.
 */
import { describeProblem, quote } from '../commands/describe.ts';
import type { BuildxBuild, CsvEntry, ParsedCommand, SourceRef } from '../commands/types.ts';

export const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
// Control characters (other than tab) in a value: nothing legitimate, and they would garble the report.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** A registry ref of the student's, as the grader's registry7 names it (host added at run time). */
export interface MappedRef {
  /** As the student wrote it. */
  student: string;
  /** `<student-id>/<path>` in registry7 (the path alone when it starts with the id). */
  repository: string;
  tag: string;
}

export interface CacheExport {
  type: 'registry' | 'inline';
  /** For type=registry. */
  ref?: MappedRef;
  /** mode=min is buildx's default when the student wrote none. */
  mode: 'min' | 'max';
  modeWritten: boolean;
  /** image-manifest, oci-mediatypes, compression, ignore-error: kept as written when valid. */
  options: Record<string, string>;
}

export interface CacheImport {
  ref: MappedRef;
}

/** What the student's output asked for; anything that writes to the grader's machine becomes `cacheonly`. */
export type OutputKind = 'push' | 'load' | 'local-files' | 'none';

export interface StudentBuildPlan {
  source: SourceRef;
  /** The command as the student wrote it (logical line). */
  text: string;
  platforms: string[];
  tags: MappedRef[];
  /** Relative to the folder the command ran in (the submission, or the script's folder). */
  file?: string;
  context: string;
  target?: string;
  buildArgs: { name: string; value: string }[];
  cacheTo: CacheExport[];
  cacheFrom: CacheImport[];
  output: OutputKind;
  /** Builder named by `--builder`, for the builder check; the reproduction always uses its own. */
  builder?: string;
  /** Polish notes: what was dropped or replaced, and why. */
  notes: string[];
  /** Other build commands of the student, not reproduced. */
  others: SourceRef[];
}

export type PlanResult =
  | { ok: true; plan: StudentBuildPlan }
  /** No `docker buildx build` among the commands. */
  | { ok: false; kind: 'no-command' }
  /** The chosen command cannot be reproduced (stdin or remote context, no context): the student's. */
  | { ok: false; kind: 'unusable'; source: SourceRef; text: string; reason: string };

/** How much of the lab a build command covers: the one that covers most is reproduced (ties: the last). */
function labScore(b: BuildxBuild): number {
  return Number(b.pushes) + Number(b.cacheTo.length > 0) + Number(b.cacheFrom.length > 0) + Number(b.platforms.length >= 2);
}

export function chooseBuildCommand(commands: readonly ParsedCommand[]): { chosen: ParsedCommand; others: ParsedCommand[] } | undefined {
  const builds = commands.filter((c) => c.kind === 'buildx-build' && c.build);
  if (builds.length === 0) return undefined;
  let chosen = builds[0]!;
  for (const c of builds) if (labScore(c.build!) >= labScore(chosen.build!)) chosen = c;
  return { chosen, others: builds.filter((c) => c !== chosen) };
}

export function planStudentBuild(commands: readonly ParsedCommand[], studentId: string): PlanResult {
  const picked = chooseBuildCommand(commands);
  if (!picked) return { ok: false, kind: 'no-command' };
  const { chosen } = picked;
  const b = chosen.build!;
  const unusable = (reason: string): PlanResult => ({ ok: false, kind: 'unusable', source: chosen.source, text: chosen.text, reason });
  if (!b.context) return unusable('polecenie nie podaje kontekstu budowania (np. „.” na końcu)');
  if (b.context.kind !== 'path') return unusable(`kontekst ${quote(b.context.text)} nie jest katalogiem pracy (${b.context.kind === 'stdin' ? 'standardowe wejście' : 'adres zdalny'}); grader buduje tylko z plików oddanej pracy`);
  if (CONTROL.test(b.context.text) || b.context.text.includes('$')) return unusable(`kontekst ${quote(b.context.text)} zawiera zmienną albo znaki sterujące`);

  // What the parser could not read as written (a bad platform, a variable) comes first.
  const notes: string[] = chosen.problems.map((p) => `Uwaga do polecenia: ${describeProblem(p)}.`);
  const refs = new RefMapper(studentId);
  const platforms: string[] = [];
  for (const p of b.platforms) {
    if (PLATFORM.test(p) && !platforms.includes(p)) platforms.push(p);
    else if (!PLATFORM.test(p)) notes.push(`Pominięto platformę ${quote(p)}: to nie jest nazwa platformy (np. linux/arm64).`);
  }
  const tags = b.tags.flatMap((t) => {
    const m = refs.map(t);
    if (!m) notes.push(`Pominięto tag ${quote(t)}: to nie jest poprawna nazwa obrazu.`);
    return m ? [m] : [];
  });
  const buildArgs = b.buildArgs.flatMap((a) => {
    if (!BUILD_ARG_NAME.test(a.name)) {
      notes.push(`Pominięto --build-arg ${quote(a.name)}: niepoprawna nazwa argumentu.`);
      return [];
    }
    // A bare `--build-arg NAME` takes its value from the environment: the grader's own must not leak into a build.
    if (a.value === undefined) {
      notes.push(`Pominięto --build-arg ${a.name} bez wartości: buildx wziąłby ją ze zmiennych środowiska gradera.`);
      return [];
    }
    if (CONTROL.test(a.value) || a.value.length > 1024) {
      notes.push(`Pominięto --build-arg ${a.name}: wartość ma znaki sterujące albo ponad 1024 znaki.`);
      return [];
    }
    return [{ name: a.name, value: a.value }];
  });
  let target: string | undefined;
  if (b.target !== undefined) {
    if (TARGET.test(b.target)) target = b.target;
    else notes.push(`Pominięto --target ${quote(b.target)}: niepoprawna nazwa etapu.`);
  }
  let file: string | undefined;
  if (b.file !== undefined) {
    if (b.file === '-' || CONTROL.test(b.file) || b.file.includes('$')) return unusable(`plik Dockerfile ${quote(b.file)} nie jest plikiem pracy`);
    file = b.file;
  }

  const cacheTo = b.cacheTo.flatMap((e) => cacheExport(e, refs, notes));
  const cacheFrom = b.cacheFrom.flatMap((e) => cacheImport(e, refs, notes));
  const output = outputOf(b, notes);
  for (const d of b.dropped) notes.push(`Pominięto ${quote(d.text)}: ta opcja nie wpływa na to, co ocenia laboratorium.`);
  if (b.builder) notes.push(`Builder ${quote(b.builder)} z polecenia zastąpiono pustym builderem gradera (każde budowanie zaczyna bez cache).`);

  return {
    ok: true,
    plan: {
      source: chosen.source,
      text: chosen.text,
      platforms,
      tags,
      ...(file !== undefined ? { file } : {}),
      context: b.context.text,
      ...(target !== undefined ? { target } : {}),
      buildArgs,
      cacheTo,
      cacheFrom,
      output,
      ...(b.builder ? { builder: b.builder } : {}),
      notes,
      others: picked.others.map((c) => c.source),
    },
  };
}

const CACHE_OPTIONS = new Set(['image-manifest', 'oci-mediatypes', 'compression', 'compression-level', 'force-compression', 'ignore-error']);
const OPTION_VALUE = /^[A-Za-z0-9_.-]{1,32}$/;

function cacheExport(e: CsvEntry, refs: RefMapper, notes: string[]): CacheExport[] {
  const type = e.type ?? 'registry';
  if (type === 'inline') return [{ type: 'inline', mode: 'min', modeWritten: false, options: {} }];
  if (type !== 'registry') {
    notes.push(`Pominięto --cache-to ${quote(e.text)}: laboratorium wymaga cache typu registry (inne typy zapisują pliki albo korzystają z usług spoza maszyny gradera).`);
    return [];
  }
  const ref = e.attrs.ref !== undefined ? refs.map(e.attrs.ref) : undefined;
  if (!ref) {
    notes.push(`Pominięto --cache-to ${quote(e.text)}: brak poprawnej nazwy obrazu cache w ref=.`);
    return [];
  }
  const written = e.attrs.mode;
  const mode = written === 'max' ? 'max' : 'min';
  if (written !== undefined && written !== 'max' && written !== 'min') notes.push(`Nieznany tryb ${quote(written)} w --cache-to: buildx go odrzuca; przyjęto domyślny mode=min.`);
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.attrs)) {
    if (k === 'ref' || k === 'mode') continue;
    if (CACHE_OPTIONS.has(k) && OPTION_VALUE.test(v)) options[k] = v;
    else notes.push(`Pominięto pole ${quote(`${k}=${v}`)} w --cache-to.`);
  }
  return [{ type: 'registry', ref, mode, modeWritten: written !== undefined, options }];
}

function cacheImport(e: CsvEntry, refs: RefMapper, notes: string[]): CacheImport[] {
  const type = e.type ?? 'registry';
  if (type !== 'registry') {
    notes.push(`Pominięto --cache-from ${quote(e.text)}: laboratorium wymaga cache typu registry.`);
    return [];
  }
  const ref = e.attrs.ref !== undefined ? refs.map(e.attrs.ref) : undefined;
  if (!ref) {
    notes.push(`Pominięto --cache-from ${quote(e.text)}: brak poprawnej nazwy obrazu cache w ref=.`);
    return [];
  }
  return [{ ref }];
}

function outputOf(b: BuildxBuild, notes: string[]): OutputKind {
  if (b.pushes) return 'push';
  const types = b.outputs.map((o) => o.type ?? 'local');
  if (types.includes('docker') || b.outputs.some((o) => o.via === 'load')) {
    notes.push('Opcja --load (eksport do lokalnego magazynu obrazów) nie jest powtarzana: grader nie zapisuje obrazów na swojej maszynie. Obraz nie trafia do rejestru, jak u studenta.');
    return 'load';
  }
  if (types.some((t) => t === 'local' || t === 'tar' || t === 'oci')) {
    notes.push('Eksport do plików (--output type=local/tar/oci) nie jest powtarzany: grader nie zapisuje plików z budowania. Obraz nie trafia do rejestru, jak u studenta.');
    return 'local-files';
  }
  return 'none';
}

/**
 * Maps the student's refs into registry7: the host is dropped, the path kept under the student's
 * id, the tag kept. Equal refs map to one ref; different refs never collide, even when their
 * names become equal in registry7 (`app/$X`, `app/var-x`): the later one gets a numbered path.
 */
class RefMapper {
  private readonly byStudent = new Map<string, MappedRef>();
  private readonly taken = new Set<string>();
  constructor(private readonly studentId: string) {}

  map(text: string): MappedRef | undefined {
    const key = normalize(text);
    if (key === undefined) return undefined;
    const known = this.byStudent.get(key.written);
    if (known) return known;
    // Students often name their repositories after their id already (s99656/app).
    const path = key.path.startsWith(`${this.studentId}/`) ? key.path : `${this.studentId}/${key.path}`;
    let repository = path;
    for (let n = 2; this.taken.has(`${repository}:${key.tag}`); n++) repository = `${path}-${n}`;
    const mapped = { student: text, repository, tag: key.tag };
    this.taken.add(`${repository}:${key.tag}`);
    this.byStudent.set(key.written, mapped);
    return mapped;
  }
}

/**
 * A ref read leniently but checked strictly: `$VAR` as the first component is a registry host
 * (`$REGISTRY/app:1`), elsewhere it becomes a plain component; the digest is dropped (a push
 * names a tag). Undefined when what remains is not a valid repository and tag. `written` is the
 * ref as the student wrote it, spelled uniformly (`latest` when implicit, `${X}` as `$X`).
 */
/** A ref as written → the name before the tag, and the tag (`latest` when implicit); a digest is dropped. */
export function splitTag(ref: string): { name: string; tag: string } {
  const name = ref.replace(/@.*$/, '');
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { name: name.slice(0, colon), tag: name.slice(colon + 1) } : { name, tag: 'latest' };
}

function normalize(text: string): { written: string; path: string; tag: string } | undefined {
  if (CONTROL.test(text) || /\s/.test(text) || text.length > 255) return undefined;
  const { name: rest, tag } = splitTag(text);
  const spelled = (p: string) => p.replace(/^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/, '$$$1');
  const written = `${rest.split('/').map(spelled).join('/')}:${spelled(tag)}`;
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.includes('$'))) parts.shift();
  const components = parts.map((p) => p.replace(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/, (_, name: string) => `var-${name.toLowerCase().replace(/_/g, '-')}`));
  if (components.length === 0 || !components.every((c) => PATH_COMPONENT.test(c))) return undefined;
  const tagText = tag.replace(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/, (_, name: string) => `var-${name.toLowerCase()}`);
  if (!TAG.test(tagText)) return undefined;
  return { written, path: components.join('/'), tag: tagText };
}


/** The reproduced command's argv (after `docker`), with registry7 named `host` as the builder reaches it. */
export function studentBuildArgv(
  plan: StudentBuildPlan,
  o: { builder: string; host: string; dockerfile: string; contextDir: string; metadataPath: string; progress: string },
): string[] {
  const ref = (m: MappedRef) => `${o.host}/${m.repository}:${m.tag}`;
  const argv = ['buildx', 'build', '--builder', o.builder, `--progress=${o.progress}`];
  if (plan.platforms.length) argv.push('--platform', plan.platforms.join(','));
  argv.push('-f', o.dockerfile);
  if (plan.target) argv.push('--target', plan.target);
  for (const a of [...plan.buildArgs].sort((x, y) => x.name.localeCompare(y.name))) argv.push('--build-arg', `${a.name}=${a.value}`);
  for (const t of plan.tags) argv.push('-t', ref(t));
  argv.push(...(plan.output === 'push' ? ['--push'] : ['--output', 'type=cacheonly']));
  for (const c of plan.cacheTo) {
    const fields = c.type === 'inline'
      ? ['type=inline']
      : ['type=registry', `ref=${ref(c.ref!)}`, ...(c.modeWritten ? [`mode=${c.mode}`] : []), ...Object.entries(c.options).map(([k, v]) => `${k}=${v}`)];
    argv.push('--cache-to', fields.join(','));
  }
  for (const c of plan.cacheFrom) argv.push('--cache-from', `type=registry,ref=${ref(c.ref)}`);
  argv.push('--metadata-file', o.metadataPath, o.contextDir);
  return argv;
}
