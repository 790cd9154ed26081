/**
 * report.consistency (issue 12, point 6): does the report describe this repository? Flags, never
 * fails: a build log with steps the Dockerfile does not have, a build command that differs from
 * the repository's own, digests that match nothing published. Each flag is for the instructor to
 * look at ("do sprawdzenia ręcznie"): a rebuild after writing the report changes every digest,
 * and a Dockerfile may have changed since. Worth no points. Pure.
 */
import { quote, sourceText } from '../commands/describe.ts';
import type { BuildxBuild, ParsedCommand } from '../commands/types.ts';
import { instructionsOf } from '../registry/manifest-analysis.ts';
import type { CheckResult, Evidence } from '../results/types.ts';
import { plural } from '../submission/json-input.ts';

export interface ConsistencyInput {
  /** The Dockerfile the grader builds (path relative to the repository). */
  dockerfile: { file: string; text: string } | null;
  /** Build logs typed into the report, with the Dockerfile instructions they ran. */
  logs: { file: string; line: number; instructions: { line: number; text: string; cut: boolean }[] }[];
  /** `docker buildx build` commands of the report. */
  reportBuilds: readonly ParsedCommand[];
  /** The repository's own build command (script or submission.json), when it is not the report's. */
  repositoryBuild: ParsedCommand | null;
  /** What the student published, where the grader could read it. */
  published: { image?: string; cache?: string };
  /** Digests the report shows: of the image index (imagetools, `exporting manifest list`, `-q`) and of the cache manifest. */
  reportDigests: { kind: 'image' | 'cache'; file: string; line: number; digest: string }[];
}

const MAX_LISTED = 5;

export function reportConsistencyCheck(input: ConsistencyInput): CheckResult | undefined {
  const flags: string[] = [];
  const compared: string[] = [];
  const evidence: Evidence[] = [];

  if (input.dockerfile && input.logs.some((l) => l.instructions.length > 0)) {
    const known = instructionsOf(input.dockerfile.text).map(matcherOf);
    const logs = input.logs.filter((l) => l.instructions.length > 0);
    compared.push(`kroki ${logs.length} ${plural(logs.length, 'logu', 'logów', 'logów')} budowania z ${input.dockerfile.file}`);
    for (const log of logs) {
      const foreign = log.instructions.filter((i) => !known.some((m) => m(i.text, i.cut)));
      if (foreign.length === 0) continue;
      flags.push(
        `Log budowania (${log.file}, wiersz ${log.line}) ma ${foreign.length} ${plural(foreign.length, 'krok', 'kroki', 'kroków')}, ` +
        `${foreign.length === 1 ? 'którego' : 'których'} nie ma w ${input.dockerfile.file}: ${foreign.slice(0, MAX_LISTED).map((i) => `${quote(i.text)} (wiersz ${i.line})`).join(', ')}` +
        `${foreign.length > MAX_LISTED ? ' i inne' : ''}. Log może pochodzić z innego projektu albo z wcześniejszej wersji Dockerfile.`,
      );
    }
  }

  const repo = input.repositoryBuild?.build;
  if (input.repositoryBuild && repo && input.reportBuilds.length > 0) {
    compared.push(`polecenia budowania ze sprawozdania z poleceniem z repozytorium (${sourceText(input.repositoryBuild.source)})`);
    const differing = input.reportBuilds.map((c) => ({ c, diff: differences(c.build!, repo) }));
    // The report may show several builds; one that is the repository's command is enough.
    if (differing.every((d) => d.diff.length > 0)) {
      const first = differing[0]!;
      flags.push(`Żadne polecenie budowania w sprawozdaniu nie jest poleceniem z repozytorium (${sourceText(input.repositoryBuild.source)}); na przykład ${sourceText(first.c.source)}: ${first.diff.join('; ')}.`);
    }
  }

  for (const kind of ['image', 'cache'] as const) {
    const published = input.published[kind];
    const shown = input.reportDigests.filter((d) => d.kind === kind);
    if (!published || shown.length === 0) continue;
    const what = kind === 'image' ? 'obrazu' : 'obrazu cache';
    compared.push(`digest ${what} ze sprawozdania z opublikowanym`);
    if (shown.some((d) => d.digest === published)) continue;
    flags.push(
      `Digest ${what} w sprawozdaniu (${shown.slice(0, MAX_LISTED).map((d) => `${d.file}, wiersz ${d.line}: ${d.digest}`).join('; ')}) ` +
      `nie zgadza się z opublikowanym (${published}). Obraz mógł zostać zbudowany ponownie po napisaniu sprawozdania.`,
    );
  }

  if (compared.length === 0) return undefined;
  evidence.push({ kind: 'text', title: 'Porównano', text: compared.map((c) => `- ${c}`).join('\n') });
  if (flags.length === 0) {
    return { id: 'report.consistency', status: 'pass', message: `Sprawozdanie zgadza się z repozytorium (porównano: ${compared.join('; ')}).`, evidence };
  }
  return {
    id: 'report.consistency',
    status: 'manual',
    message: `Sprawozdanie nie we wszystkim zgadza się z repozytorium (${flags.length} ${plural(flags.length, 'rozbieżność', 'rozbieżności', 'rozbieżności')}; to nie odbiera punktów, ale warto to sprawdzić). ${flags.join(' ')}`,
    evidence: [{ kind: 'text', title: 'Rozbieżności', text: flags.map((f) => `- ${f}`).join('\n') }, ...evidence],
  };
}

/**
 * A Dockerfile instruction as BuildKit names its step. Blanks are ignored (continuations are
 * joined with or without a space); `$VAR` may print expanded, even to nothing, so it stands for
 * any text; a step cut at the terminal's width only has to be the start of such a text.
 */
function matcherOf(instruction: string): (step: string, cut: boolean) => boolean {
  const parts = squeeze(instruction).toLowerCase().split(VARIABLE);
  return (step, cut) => {
    const s = squeeze(step).toLowerCase();
    if (globMatch(parts, s)) return true;
    const start = s.replace(/\.\.\.$/, '');
    // A heredoc step prints its first line only; a cut tty line is a prefix. A variable can
    // stand for anything that follows, so the text before the first one decides.
    return (cut || /<</.test(instruction)) && start.length >= 6 && (start.startsWith(parts[0]!) ? parts.length > 1 || start === parts[0] : parts[0]!.startsWith(start));
  };
}

const VARIABLE = /(\$\{[^}]*\}|\$[A-Za-z_]\w*)/;

/**
 * Whether `s` is `parts` with each variable (odd indexes) replaced by some text. Literal parts
 * are found left to right, each at its first place: linear work, however many variables a
 * Dockerfile line holds (a regular expression of lazy wildcards backtracks exponentially).
 */
function globMatch(parts: readonly string[], s: string): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return s === first;
  if (!s.startsWith(first)) return false;
  let pos = first.length;
  for (let i = 2; i < parts.length - 1; i += 2) {
    const at = s.indexOf(parts[i]!, pos);
    if (at < 0) return false;
    pos = at + parts[i]!.length;
  }
  const last = parts[parts.length - 1]!;
  return s.length - pos >= last.length && s.endsWith(last);
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Polish: what the report's command does differently from the repository's (the lab's flags only). */
function differences(shown: BuildxBuild, repo: BuildxBuild): string[] {
  const out: string[] = [];
  const list = (xs: readonly string[]) => (xs.length ? xs.join(',') : 'brak');
  const differs = (a: readonly string[], b: readonly string[]) => !sameValues(a, b);
  if (differs(shown.platforms, repo.platforms)) out.push(`--platform ${quote(list(shown.platforms))} zamiast ${quote(list(repo.platforms))}`);
  if (differs(shown.tags, repo.tags)) out.push(`-t ${quote(list(shown.tags))} zamiast ${quote(list(repo.tags))}`);
  const cacheTo = (b: BuildxBuild) => b.cacheTo.map((e) => `${e.type ?? ''}:${e.attrs.ref ?? ''}:${e.attrs.mode ?? 'min'}`);
  if (differs(cacheTo(shown), cacheTo(repo))) out.push(`--cache-to ${quote(list(shown.cacheTo.map((e) => e.text)))} zamiast ${quote(list(repo.cacheTo.map((e) => e.text)))}`);
  const cacheFrom = (b: BuildxBuild) => b.cacheFrom.map((e) => e.attrs.ref ?? e.text);
  if (differs(cacheFrom(shown), cacheFrom(repo))) out.push(`--cache-from ${quote(list(shown.cacheFrom.map((e) => e.text)))} zamiast ${quote(list(repo.cacheFrom.map((e) => e.text)))}`);
  const output = (b: BuildxBuild) => b.outputs.map((o) => o.type ?? o.via);
  const written = (b: BuildxBuild) => list(b.outputs.map((o) => (o.via === 'output' ? o.text : `--${o.via}`)));
  if (differs(output(shown), output(repo))) out.push(`wynik ${quote(written(shown))} zamiast ${quote(written(repo))}`);
  if ((shown.file ?? 'Dockerfile') !== (repo.file ?? 'Dockerfile')) out.push(`-f ${quote(shown.file ?? 'Dockerfile')} zamiast ${quote(repo.file ?? 'Dockerfile')}`);
  if ((shown.target ?? '') !== (repo.target ?? '')) out.push(`--target ${quote(shown.target ?? 'brak')} zamiast ${quote(repo.target ?? 'brak')}`);
  return out;
}

/** The same values in any order; `$VAR` on either side (a script's variable) stands for any text. */
function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = [...b];
  return a.every((x) => {
    const i = left.findIndex((y) => valueMatches(x, y) || valueMatches(y, x));
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  });
}

function valueMatches(pattern: string, value: string): boolean {
  return globMatch(pattern.split(VARIABLE), value);
}
