/** Reading a file of the repository without leaving it, blocking on it or reading past a limit. */
import { open, realpath, stat } from 'node:fs/promises';
import { isInside } from '../util/inside.ts';

export type LocatedFile =
  | { ok: true; real: string; size: number }
  | { ok: false; reason: 'missing' | 'not-a-file' | 'outside-repository'; detail?: string };

/**
 * `candidate` (absolute) as a regular file inside `root`, symlinks resolved: one pointing out of
 * the repository is outside it, and a FIFO or device (which would block a read for good) is not a file.
 */
export async function locateInside(root: string, candidate: string): Promise<LocatedFile> {
  const realRoot = await realpath(root);
  if (!isInside(realRoot, candidate) && !isInside(root, candidate)) return { ok: false, reason: 'outside-repository' };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    return { ok: false, reason: 'missing', detail: (error as NodeJS.ErrnoException).code };
  }
  if (!isInside(realRoot, real)) return { ok: false, reason: 'outside-repository' };
  const info = await stat(real).catch(() => undefined);
  if (!info) return { ok: false, reason: 'missing' };
  if (!info.isFile()) return { ok: false, reason: 'not-a-file' };
  return { ok: true, real, size: info.size };
}

/** At most `max` bytes of the file, so one that grows after its size was checked cannot exhaust memory. */
export async function readAtMost(file: string, max: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let filled = 0;
    while (filled < max) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, max - filled));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, filled);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      filled += bytesRead;
    }
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}
