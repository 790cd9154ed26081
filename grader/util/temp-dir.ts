/**
 * Temp dirs of a grader run (/tmp/buildx-grader-*). Each gets an owner file with the pid and run
 * id, so `grader cleanup` can remove the dirs of killed runs, and only those: a dir without an
 * owner file, of another user, or whose process is still alive is never touched.
 */
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processAlive } from './process-alive.ts';

export const TEMP_PREFIX = 'buildx-grader-';
export const OWNER_FILE = '.buildx-grader-owner';

/** mkdtemp under the system temp dir, stamped with this process and run. */
export async function makeTempDir(kind = '', runId?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${TEMP_PREFIX}${kind}`));
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, ...(runId ? { runId } : {}) }) + '\n');
  return dir;
}

export interface StaleTempDir {
  dir: string;
  pid: number;
  runId?: string;
}

export interface StaleOptions {
  /** Only dirs whose run id matches (see belongsToRun); undefined = any run. */
  matchesRun?: (runId: string | undefined) => boolean;
  root?: string;
  isAlive?: (pid: number) => boolean;
}

/** Our temp dirs whose owning process is gone. */
export async function staleTempDirs(o: StaleOptions = {}): Promise<StaleTempDir[]> {
  const alive = o.isAlive ?? processAlive;
  return (await ownedTempDirs(o.root)).filter((d) => !alive(d.pid) && (!o.matchesRun || o.matchesRun(d.runId)));
}

/** Run ids of grader runs whose process is still alive: their Docker objects are in use. */
export async function liveRunIds(o: Pick<StaleOptions, 'root' | 'isAlive'> = {}): Promise<string[]> {
  const alive = o.isAlive ?? processAlive;
  const ids = (await ownedTempDirs(o.root)).filter((d) => alive(d.pid)).map((d) => d.runId);
  return [...new Set(ids.filter((id): id is string => Boolean(id)))];
}

/** Temp dirs of ours (right prefix, this user, a valid owner file). */
async function ownedTempDirs(root: string = tmpdir()): Promise<StaleTempDir[]> {
  const uid = process.getuid?.();
  const names = await readdir(root).catch(() => [] as string[]);
  const out: StaleTempDir[] = [];
  for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX)).sort()) {
    const dir = path.join(root, name);
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    const owner = await readOwner(dir);
    if (owner) out.push({ dir, ...owner });
  }
  return out;
}

export async function removeTempDirs(dirs: StaleTempDir[]): Promise<string[]> {
  const failed: string[] = [];
  for (const d of dirs) await rm(d.dir, { recursive: true, force: true }).catch(() => failed.push(d.dir));
  return failed;
}

async function readOwner(dir: string): Promise<{ pid: number; runId?: string } | undefined> {
  try {
    const file = path.join(dir, OWNER_FILE);
    if (!(await lstat(file)).isFile()) return undefined;
    const data = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown; runId?: unknown };
    if (!Number.isInteger(data.pid) || (data.pid as number) <= 0) return undefined;
    return { pid: data.pid as number, ...(typeof data.runId === 'string' ? { runId: data.runId } : {}) };
  } catch {
    return undefined;
  }
}
