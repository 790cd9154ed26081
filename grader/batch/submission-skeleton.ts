/** The submission.json `grader init` writes, by hand or from the student's report. Pure. */
import { sourceText } from '../commands/describe.ts';
import type { CsvEntry } from '../commands/types.ts';
import { chooseBuildCommand } from '../grade/student-build.ts';
import type { StudentReport } from '../student-report/types.ts';
import { DEFAULT_PLATFORMS } from '../submission/load-submission.ts';

export interface SkeletonInput {
  id: string;
  name: string;
  image?: string;
  cache?: string;
  /** A Dockerfile was found in the folder. */
  dockerfile?: string;
  /** A deletion script for the bonus was found. */
  deleteScript?: string;
  /** `--from-report`: the commands copied from the report, and the report itself. */
  commands?: string[];
  report?: string[];
}

export const STUDENT_ID = /^[a-z]?[0-9]{3,10}$/;
export const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/;

/** Problems with the values, in Polish, naming the flag; empty when fine. */
export function skeletonProblems(s: Partial<SkeletonInput>): string[] {
  const out: string[] = [];
  if (!s.id) out.push('--id: podaj numer albumu, np. --id s12345');
  else if (!STUDENT_ID.test(s.id)) out.push(`--id: „${s.id}” nie jest numerem albumu (mała litera opcjonalna i 3–10 cyfr, np. s12345)`);
  if (!s.name?.trim()) out.push('--name: podaj imię i nazwisko, np. --name "Jan Kowalski"');
  else if (/[\u0000-\u001f\u007f]/.test(s.name) || s.name.length > 100) out.push('--name: imię i nazwisko bez znaków sterujących, do 100 znaków');
  for (const k of ['image', 'cache'] as const) {
    const v = s[k];
    if (v !== undefined && v !== '' && !IMAGE_REF.test(v)) out.push(`--${k}: „${v}” nie jest referencją obrazu (rejestr/repozytorium:tag)`);
  }
  return out;
}

export function submissionSkeleton(s: SkeletonInput): Record<string, unknown> {
  const published = { ...(s.image ? { image: s.image } : {}), ...(s.cache ? { cache: s.cache } : {}) };
  return {
    student: { id: s.id, name: s.name.trim() },
    ...(Object.keys(published).length ? { published } : {}),
    build: {
      context: '.',
      dockerfile: s.dockerfile ?? 'Dockerfile',
      ...(s.commands?.length ? { commands: s.commands } : { args: {}, platforms: [...DEFAULT_PLATFORMS] }),
    },
    ...(s.report?.length ? { report: s.report } : {}),
    ...(s.deleteScript ? { bonus: { deleteScript: s.deleteScript } } : {}),
  };
}

export interface FromReport {
  image?: string;
  cache?: string;
  /** The -f of the chosen build, as written. */
  dockerfile?: string;
  commands: string[];
  /** Polish: what was taken from which line, for the student to check. */
  notes: string[];
}

const cacheRef = (c: CsvEntry) => c.attrs.ref ?? (c.shorthand ? c.text : undefined);

/**
 * What `grader init --from-report` takes from a report: the builder and registry7 commands and
 * the build command the grader would reproduce, and that build's image and cache refs.
 */
export function skeletonFromReport(report: StudentReport): FromReport {
  const parsed = report.commands.map((c) => c.parsed);
  const notes: string[] = [];
  const keep = parsed.filter((c) => c.kind === 'buildx-create' || c.kind === 'buildx-use' || (c.argv[0] === 'docker' && c.argv[1] === 'run' && c.argv.some((w) => /^(?:(?:docker\.io\/)?library\/)?registry(?::|$)/.test(w))));
  const picked = chooseBuildCommand(parsed);
  const commands = [...keep, ...(picked ? [picked.chosen] : [])].sort((a, b) => a.source.line - b.source.line);
  for (const c of commands) notes.push(`build.commands: ${c.argv.slice(0, 3).join(' ')} … (${sourceText(c.source)})`);
  const b = picked?.chosen.build;
  const image = b?.tags[0];
  const cache = b?.cacheTo.map(cacheRef).find((r) => r !== undefined);
  if (image) notes.push(`published.image: ${image} (${sourceText(picked!.chosen.source)}, -t)`);
  if (cache) notes.push(`published.cache: ${cache} (${sourceText(picked!.chosen.source)}, --cache-to)`);
  if (!picked) notes.push('brak polecenia docker buildx build w sprawozdaniu: dopisz je do build.commands');
  return {
    ...(image ? { image } : {}),
    ...(cache ? { cache } : {}),
    ...(b?.file ? { dockerfile: b.file } : {}),
    commands: commands.map((c) => c.text),
    notes,
  };
}
