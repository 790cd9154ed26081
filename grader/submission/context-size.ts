/**
 * Measures a student's build context the way BuildKit would send it, before any build runs:
 * the entries under the context folder minus what its ignore file excludes. A repository with
 * gigabytes or millions of files must be refused as the student's failure, not tie up the grader.
 */
import { lstatSync, opendirSync, readFileSync, realpathSync, type Dir } from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { quote } from '../commands/describe.ts';
import { isInside } from '../util/inside.ts';
import { plural } from './json-input.ts';

/**
 * A lab app (a small web service and its sources) is a few hundred files; even a context that
 * carelessly includes node_modules of a typical project stays well below 100 000 entries.
 */
export const CONTEXT_MAX_FILES = 100_000;
/**
 * The lab's images are small; 500 MiB is far beyond any honest context, while a stray ISO, a
 * database dump or a .git with binaries passes it and would otherwise be sent twice (once per platform).
 */
export const CONTEXT_MAX_BYTES = 500 * 1024 * 1024;
/** A real .dockerignore is a few hundred bytes; a huge one would make every path test slow. */
export const IGNORE_FILE_MAX_BYTES = 64 * 1024;

export interface ContextLimits {
  files: number;
  bytes: number;
}

export interface OverLimit {
  kind: 'files' | 'bytes' | 'ignore-file';
  limit: number;
  seen: number;
}

export interface ContextSize {
  /** Entries BuildKit would send: files, directories, symlinks (not followed), special files. */
  files: number;
  /** Sizes of regular files (from lstat; a hard link already counted adds nothing, as in BuildKit). */
  bytes: number;
  /**
   * Set when counting stopped: `seen` is the count at the moment the limit was passed
   * ('ignore-file': the ignore file itself is too big to read, `seen` is its size).
   */
  overLimit?: OverLimit;
  /** The ignore file applied, relative to the submission folder (POSIX separators). */
  ignoredBy?: string;
}

/** The context as BuildKit would send it, measured against the grader's fixed limits. */
export function measureBuildContext(where: ContextLocation): ContextSize {
  return walkContext(where, { files: CONTEXT_MAX_FILES, bytes: CONTEXT_MAX_BYTES });
}

export interface ContextLocation {
  /** Real path of the submission folder: ignore files are only read from inside it. */
  root: string;
  /** Real path of the context folder. */
  contextDir: string;
  /** The Dockerfile path as the command names it (its `<name>.dockerignore` sits beside it). */
  dockerfile: string;
}

/**
 * The walk behind measureBuildContext, with the limits as a parameter so tests can use small ones.
 * Never follows symlinks, never reads file contents, stops as soon as a limit is passed.
 * Synchronous on purpose: lstatSync costs about 18 µs a file here against about 100 µs for the
 * promise version, and the limits bound how long the event loop is held (about 2 s at 100 000 files).
 */
export function walkContext(where: ContextLocation, limits: ContextLimits): ContextSize {
  const ignore = loadIgnoreFile(where);
  if ('tooBig' in ignore) {
    return { files: 0, bytes: 0, overLimit: { kind: 'ignore-file', limit: IGNORE_FILE_MAX_BYTES, seen: ignore.tooBig }, ignoredBy: ignore.name };
  }
  // The package is CommonJS whose typings declare `export default`; it sets `module.exports.default` for this.
  // Case-sensitive like Docker on Linux (the package's default is to ignore case).
  const matcher = dockerignore.default({ ignorecase: false }).add(ignore.patterns);
  // Like BuildKit (fsutil), an excluded directory is skipped whole only when no `!` exception could re-include part of it.
  const hasExceptions = ignore.patterns.some((p) => p.trim().startsWith('!'));
  const size: ContextSize = { files: 0, bytes: 0 };
  if (ignore.name !== undefined) size.ignoredBy = ignore.name;
  const seenInodes = new Set<string>();
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relDir = pending.pop()!;
    const dir = orVanished(() => opendirSync(path.join(where.contextDir, relDir), { bufferSize: 256 }));
    if (dir === undefined) continue;
    try {
      const over = walkDir(dir, relDir);
      if (over !== undefined) return { ...size, overLimit: over };
    } finally {
      dir.closeSync();
    }
  }
  return size;

  /** Counts one directory's entries (read in batches, never all at once), queueing its subdirectories. */
  function walkDir(dir: Dir, relDir: string): OverLimit | undefined {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      const isDir = entry.isDirectory();
      if (matcher.ignores(rel)) {
        if (isDir && hasExceptions) pending.push(rel);
        continue;
      }
      if (isDir) pending.push(rel);
      size.files += 1;
      if (size.files > limits.files) return { kind: 'files', limit: limits.files, seen: size.files };
      if (!entry.isFile()) continue;
      const stats = orVanished(() => lstatSync(path.join(where.contextDir, rel)));
      if (stats === undefined) continue;
      if (stats.nlink > 1) {
        const inode = `${stats.dev}:${stats.ino}`;
        if (seenInodes.has(inode)) continue;
        seenInodes.add(inode);
      }
      size.bytes += stats.size;
      if (size.bytes > limits.bytes) return { kind: 'bytes', limit: limits.bytes, seen: size.bytes };
    }
    return undefined;
  }
}

type IgnoreFile = { patterns: string[]; name?: string } | { tooBig: number; name: string };

/**
 * BuildKit's choice of ignore file: `<Dockerfile>.dockerignore` beside the Dockerfile takes
 * precedence over `.dockerignore` at the context root; the two are never merged.
 */
function loadIgnoreFile(where: ContextLocation): IgnoreFile {
  for (const candidate of [`${where.dockerfile}.dockerignore`, path.join(where.contextDir, '.dockerignore')]) {
    // A symlinked ignore file is followed (BuildKit does) but never to a file outside the submission.
    const real = orVanished(() => realpathSync(candidate));
    if (real === undefined || !isInside(where.root, real)) continue;
    const stats = lstatSync(real);
    if (!stats.isFile()) continue;
    const name = path.relative(where.root, candidate).split(path.sep).join('/');
    if (stats.size > IGNORE_FILE_MAX_BYTES) return { tooBig: stats.size, name };
    // Lines split on LF or CRLF; the matcher trims each one (a leading byte order mark too, as Docker drops it).
    return { patterns: readFileSync(real, 'utf8').split(/\r?\n/), name };
  }
  return { patterns: [] };
}

/** A missing file (or one removed while walking) is simply not part of the context; other errors are real. */
function orVanished<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const NUMBER = new Intl.NumberFormat('pl-PL');
const MIB = new Intl.NumberFormat('pl-PL', { maximumFractionDigits: 1 });

/** Rounded down, so that "at least" stays true of the count. */
function mib(bytes: number): string {
  return `${MIB.format(Math.floor((bytes / (1024 * 1024)) * 10) / 10)} MiB`;
}

/**
 * Why the build cannot be reproduced, in Polish. `context` names the context folder as the report
 * shows it (already quoted); `ignoredBy` is the ignore file that was applied, if any.
 */
export function contextTooLargeMessage(context: string, over: OverLimit, ignoredBy: string | undefined): string {
  const { kind, limit, seen } = over;
  const examples = 'np. wiersze „node_modules”, „.git” i „*.iso”';
  if (kind === 'ignore-file') {
    return `Plik ${quote(ignoredBy ?? '')} dla kontekstu budowania ${context} ma ${NUMBER.format(seen)} ${plural(seen, 'bajt', 'bajty', 'bajtów')}, `
      + `a dozwolone jest najwyżej ${NUMBER.format(limit)} ${plural(limit, 'bajt', 'bajty', 'bajtów')}. Zostaw w nim tylko potrzebne wzorce, ${examples}.`;
  }
  const notCounting = ignoredBy !== undefined ? ` (nie licząc wykluczonych przez ${quote(ignoredBy)})` : '';
  const counted = kind === 'files'
    ? `naliczono w nim ${NUMBER.format(seen)} ${plural(seen, 'plik lub katalog', 'pliki lub katalogi', 'plików i katalogów')}${notCounting}, a dozwolone jest najwyżej ${NUMBER.format(limit)}`
    : `jego pliki${notCounting} mają razem co najmniej ${mib(seen)}, a dozwolone jest najwyżej ${mib(limit)}`;
  const fix = ignoredBy !== undefined
    ? `Dopisz do ${quote(ignoredBy)} to, czego obraz nie potrzebuje, ${examples}.`
    : `Dodaj w katalogu kontekstu plik .dockerignore wykluczający to, czego obraz nie potrzebuje, ${examples}.`;
  return `Kontekst budowania ${context} jest za duży, by grader powtórzył budowanie: ${counted}; liczenie przerwano zaraz po przekroczeniu limitu. ${fix}`;
}
