/** The submission.json `grader init` writes. Pure. */
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
      args: {},
      platforms: [...DEFAULT_PLATFORMS],
    },
    ...(s.deleteScript ? { bonus: { deleteScript: s.deleteScript } } : {}),
  };
}
