// The build context measured as BuildKit would send it, refused past a limit (issue 13).
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { link, mkdir, mkdtemp, realpath, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareBuild } from '../../grader/grade/prepare-build.ts';
import {
  CONTEXT_MAX_BYTES, CONTEXT_MAX_FILES, contextTooLargeMessage, IGNORE_FILE_MAX_BYTES, measureBuildContext, walkContext,
} from '../../grader/submission/context-size.ts';
import { loadSubmission } from '../../grader/submission/load-submission.ts';

const MIB = 1024 * 1024;
let tmp: string;
let counter = 0;

before(async () => {
  tmp = await realpath(await mkdtemp(path.join(tmpdir(), 'grader-context-')));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh folder with the given files: a string is the content, a number the size of a sparse file. */
async function folder(files: Record<string, string | number>): Promise<string> {
  const dir = path.join(tmp, `c${++counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : '');
    if (typeof content === 'number') await truncate(file, content);
  }
  return dir;
}

/** The context at `dir` with its Dockerfile at the default place. */
const at = (dir: string, dockerfile = path.join(dir, 'Dockerfile')) => ({ root: dir, contextDir: dir, dockerfile });

describe('measureBuildContext: what .dockerignore excludes', () => {
  it('follows Docker\'s rules: **, ! exceptions, leading /, comments only in column 1, CRLF, BOM, cleaned paths, case-sensitive', async () => {
    // A byte order mark before the first pattern is dropped, as Docker does.
    const ignore = '\uFEFF' + ['**/node_modules', '# dependencies', '*.txt', '!keep.txt', '/abs', '#comment', ' #hash', 'dist', '*.iso', './build/../out', ''].join('\r\n');
    // Each file's size is a distinct power of two, so the byte total names exactly the files counted.
    const dir = await folder({
      '.dockerignore': ignore,
      Dockerfile: 1, 'app.js': 2,
      'node_modules/x.js': 4, 'src/node_modules/y.js': 8, 'src/main.js': 16,
      'notes.txt': 32, 'keep.txt': 64, 'sub/keep.txt': 128,
      'abs/a.bin': 256, 'src/abs/b.bin': 512,
      '#comment': 1024, '#hash': 2048, 'dist/out.js': 4096, 'Big.ISO': 8192, 'out/o.js': 16384,
    });
    const ignoreBytes = (await stat(path.join(dir, '.dockerignore'))).size;
    const size = measureBuildContext(at(dir));
    // Counted: .dockerignore, Dockerfile, app.js, src/, src/main.js, keep.txt (the exception),
    // sub/ and sub/keep.txt (`*.txt` is anchored at the root), src/abs/ and src/abs/b.bin (`/abs` is the
    // context's abs only), #comment (its line is a comment), Big.ISO (`*.iso` differs in case).
    // Excluded: both node_modules, notes.txt, abs/, #hash (` #hash` is a pattern), dist/ (a CRLF line), out/ (`./build/../out`).
    assert.deepEqual(size, { files: 12, bytes: ignoreBytes + 1 + 2 + 16 + 64 + 128 + 512 + 1024 + 8192, ignoredBy: '.dockerignore' });
  });

  it('an exception re-includes a file inside an excluded directory, as BuildKit walks into it', async () => {
    const dir = await folder({ '.dockerignore': 'node_modules\n!node_modules/keep.js\n', 'node_modules/keep.js': 1, 'node_modules/big.js': 2 });
    const size = measureBuildContext(at(dir));
    assert.equal(size.bytes, (await stat(path.join(dir, '.dockerignore'))).size + 1);
    assert.equal(size.files, 2, '.dockerignore and node_modules/keep.js');
  });

  it('<Dockerfile>.dockerignore beside the Dockerfile takes precedence over the context\'s .dockerignore, not merged with it', async () => {
    const dir = await folder({ '.dockerignore': 'a.bin\n', 'docker/app.Dockerfile': 'FROM scratch\n', 'docker/app.Dockerfile.dockerignore': 'b.bin\ndocker\n', 'a.bin': 1024, 'b.bin': 2048 });
    const dockerfile = path.join(dir, 'docker', 'app.Dockerfile');
    const own = measureBuildContext(at(dir, dockerfile));
    assert.equal(own.ignoredBy, 'docker/app.Dockerfile.dockerignore');
    assert.equal(own.bytes, 1024 + (await stat(path.join(dir, '.dockerignore'))).size, 'a.bin counted, b.bin and docker/ excluded');
    await rm(path.join(dir, 'docker', 'app.Dockerfile.dockerignore'));
    const shared = measureBuildContext(at(dir, dockerfile));
    assert.equal(shared.ignoredBy, '.dockerignore');
    assert.equal(shared.files, 4, '.dockerignore, docker/, docker/app.Dockerfile, b.bin; a.bin excluded');
  });

  it('never reads an ignore file that is a symlink leading out of the submission', async () => {
    const outside = await folder({ '.dockerignore': '*\n' });
    const dir = await folder({ 'a.bin': 100 });
    await symlink(path.join(outside, '.dockerignore'), path.join(dir, '.dockerignore'));
    const size = measureBuildContext(at(dir));
    assert.equal(size.ignoredBy, undefined);
    assert.deepEqual({ files: size.files, bytes: size.bytes }, { files: 2, bytes: 100 }, 'a.bin and the link itself');
  });
});

describe('measureBuildContext: links', () => {
  it('does not follow symlinks: a loop ends, a link out of the context adds no bytes of its target', async () => {
    const outside = await folder({ 'big.iso': 600 * MIB, 'ext/a.bin': 10 * MIB, 'ext/b.bin': 10 * MIB });
    const dir = await folder({ Dockerfile: 'FROM scratch\n', 'self/x.bin': 7 });
    await symlink('.', path.join(dir, 'loop'));
    await symlink('..', path.join(dir, 'self', 'up'));
    await symlink(path.join(outside, 'big.iso'), path.join(dir, 'big.iso'));
    await symlink(path.join(outside, 'ext'), path.join(dir, 'ext'));
    const size = measureBuildContext(at(dir));
    // Dockerfile, self/, self/x.bin and the four links; the links' own bytes are not file data.
    assert.deepEqual(size, { files: 7, bytes: 'FROM scratch\n'.length + 7 });
  });

  it('counts the bytes of hard-linked files once, as BuildKit sends the later names as links', async () => {
    const dir = await folder({ 'a.bin': 1000 });
    await link(path.join(dir, 'a.bin'), path.join(dir, 'b.bin'));
    assert.deepEqual(measureBuildContext(at(dir)), { files: 2, bytes: 1000 });
  });
});

describe('measureBuildContext: limits', () => {
  it('a sparse 600 MiB file passes the byte limit at once, read from lstat and never from the file', async () => {
    const dir = await folder({ 'disk.iso': 600 * MIB });
    const started = performance.now();
    const size = measureBuildContext(at(dir));
    const ms = performance.now() - started;
    assert.deepEqual(size.overLimit, { kind: 'bytes', limit: CONTEXT_MAX_BYTES, seen: 600 * MIB });
    assert.equal(CONTEXT_MAX_BYTES, 500 * MIB);
    assert.ok(ms < 1000, `took ${ms} ms`);
    // The fix the message suggests works.
    await writeFile(path.join(dir, '.dockerignore'), '*.iso\n');
    assert.equal(measureBuildContext(at(dir)).overLimit, undefined);
  });

  it('stops counting files as soon as the limit is passed (a lowered limit: 100 001 files take about 6 s to create here)', async () => {
    const dir = await folder({});
    for (let i = 0; i < 2000; i++) closeSync(openSync(path.join(dir, `f${i}`), 'w'));
    const size = walkContext(at(dir), { files: 1000, bytes: CONTEXT_MAX_BYTES });
    assert.deepEqual(size, { files: 1001, bytes: 0, overLimit: { kind: 'files', limit: 1000, seen: 1001 } });
    // Exactly at the limit is allowed: 999 files and their folder.
    const exact = await folder({});
    await mkdir(path.join(exact, 'd'));
    for (let i = 0; i < 999; i++) closeSync(openSync(path.join(exact, 'd', `f${i}`), 'w'));
    assert.deepEqual(walkContext(at(exact), { files: 1000, bytes: CONTEXT_MAX_BYTES }), { files: 1000, bytes: 0 });
    assert.equal(CONTEXT_MAX_FILES, 100_000);
  });

  it('refuses an ignore file too big to read', async () => {
    const dir = await folder({ '.dockerignore': 'x\n'.repeat(IGNORE_FILE_MAX_BYTES / 2 + 1) });
    assert.deepEqual(measureBuildContext(at(dir)), {
      files: 0, bytes: 0, overLimit: { kind: 'ignore-file', limit: IGNORE_FILE_MAX_BYTES, seen: IGNORE_FILE_MAX_BYTES + 2 }, ignoredBy: '.dockerignore',
    });
  });
});

describe('contextTooLargeMessage', () => {
  it('names the context, what was counted, the limit and the fix, in Polish', () => {
    assert.equal(
      contextTooLargeMessage('„app”', { kind: 'files', limit: 100_000, seen: 100_001 }, undefined),
      'Kontekst budowania „app” jest za duży, by grader powtórzył budowanie: naliczono w nim 100\u00a0001 plików i katalogów, '
        + 'a dozwolone jest najwyżej 100\u00a0000; liczenie przerwano zaraz po przekroczeniu limitu. '
        + 'Dodaj w katalogu kontekstu plik .dockerignore wykluczający to, czego obraz nie potrzebuje, np. wiersze „node_modules”, „.git” i „*.iso”.',
    );
    assert.equal(
      contextTooLargeMessage('„.”', { kind: 'bytes', limit: 500 * MIB, seen: 600.25 * MIB }, 'docker/Dockerfile.dockerignore'),
      'Kontekst budowania „.” jest za duży, by grader powtórzył budowanie: jego pliki (nie licząc wykluczonych przez „docker/Dockerfile.dockerignore”) '
        + 'mają razem co najmniej 600,2 MiB, a dozwolone jest najwyżej 500 MiB; liczenie przerwano zaraz po przekroczeniu limitu. '
        + 'Dopisz do „docker/Dockerfile.dockerignore” to, czego obraz nie potrzebuje, np. wiersze „node_modules”, „.git” i „*.iso”.',
    );
    assert.equal(
      contextTooLargeMessage('„app”', { kind: 'ignore-file', limit: 65_536, seen: 70_000 }, 'app/.dockerignore'),
      'Plik „app/.dockerignore” dla kontekstu budowania „app” ma 70\u00a0000 bajtów, a dozwolone jest najwyżej 65\u00a0536 bajtów. '
        + 'Zostaw w nim tylko potrzebne wzorce, np. wiersze „node_modules”, „.git” i „*.iso”.',
    );
  });
});

describe('prepareBuild: a context over the limit', () => {
  const COMMAND = 'docker buildx build --platform linux/amd64,linux/arm64 -t 127.0.0.1:5000/lab:v1 --push app';

  it('makes the student\'s build unusable before any builder starts, and a .dockerignore fixes it', async () => {
    const dir = await folder({
      'submission.json': JSON.stringify({ student: { id: 's99656', name: 'Jan Kowalski' }, build: { commands: [COMMAND] } }),
      Dockerfile: 'FROM scratch\n',
      'app/Dockerfile': 'FROM 127.0.0.1:5055/library/busybox:latest\n',
      'app/backup.iso': 600 * MIB,
    });
    const refused = await prepareBuild(await loadSubmission(dir));
    assert.deepEqual(refused.build, {
      kind: 'unusable',
      reason: 'Kontekst budowania „app” z polecenia (submission.json[0], wiersz 1) jest za duży, by grader powtórzył budowanie: '
        + 'jego pliki mają razem co najmniej 600 MiB, a dozwolone jest najwyżej 500 MiB; liczenie przerwano zaraz po przekroczeniu limitu. '
        + 'Dodaj w katalogu kontekstu plik .dockerignore wykluczający to, czego obraz nie potrzebuje, np. wiersze „node_modules”, „.git” i „*.iso”.',
    });
    await writeFile(path.join(dir, 'app', '.dockerignore'), '*.iso\n');
    assert.equal((await prepareBuild(await loadSubmission(dir))).build.kind, 'student');
  });
});
