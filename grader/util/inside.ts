/** Path containment, for keeping the grader's own output out of a student's build context. */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Whether `candidate` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of `p`, resolved through its nearest existing ancestor (p itself may not exist yet). */
export async function realPathOfNearest(p: string): Promise<string> {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  for (let dir = absolute; ; dir = path.dirname(dir)) {
    const real = await realpath(dir).catch(() => undefined);
    if (real !== undefined) return path.join(real, ...rest.reverse());
    if (path.dirname(dir) === dir) return absolute;
    rest.push(path.basename(dir));
  }
}
