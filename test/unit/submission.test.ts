import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../grader/errors.ts';
import { loadSubmission, SCRIPT_MAX_BYTES, SUBMISSION_MAX_BYTES } from '../../grader/submission/load-submission.ts';

const VALID = {
  student: { id: 's99656', name: 'Jan Kowalski' },
  published: { image: '127.0.0.1:5055/s99656/pogoda:multiarch', cache: '127.0.0.1:5055/s99656/pogoda:buildcache' },
  build: { context: '.', dockerfile: 'Dockerfile', args: { VERSION: '1.0' }, platforms: ['linux/amd64', 'linux/arm64'] },
  bonus: { deleteScript: 'delete-cache.sh' },
};

let tmp: string;
let counter = 0;

/** A fresh submission folder with a Dockerfile, a delete script and the given submission.json. */
async function makeSubmission(json: unknown, files: Record<string, string> = { Dockerfile: 'FROM scratch\n', 'delete-cache.sh': '#!/bin/sh\n' }): Promise<string> {
  const dir = path.join(tmp, `sub${++counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  await writeFile(path.join(dir, 'submission.json'), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return dir;
}

/** Runs loadSubmission expecting an InputError and returns it. */
async function inputErrorOf(dir: string): Promise<InputError> {
  try {
    await loadSubmission(dir);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadSubmission should have thrown');
}

before(async () => {
  // realpath: on some systems the temp dir itself is behind a symlink (macOS /var → /private/var).
  tmp = await realpath(await mkdtemp(path.join(tmpdir(), 'grader-submission-')));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadSubmission: valid files', () => {
  it('loads the full example and resolves absolute paths', async () => {
    const dir = await makeSubmission(VALID);
    const s = await loadSubmission(dir);
    assert.equal(s.dir, dir);
    assert.equal(s.file, path.join(dir, 'submission.json'));
    assert.deepEqual(s.student, { id: 's99656', name: 'Jan Kowalski' });
    assert.deepEqual(s.published, VALID.published);
    assert.equal(s.build.contextDir, dir);
    assert.equal(s.build.dockerfilePath, path.join(dir, 'Dockerfile'));
    assert.equal(s.build.dockerfile, 'Dockerfile');
    assert.deepEqual(s.build.args, { VERSION: '1.0' });
    assert.deepEqual(s.build.platforms, ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(s.bonus, { deleteScript: 'delete-cache.sh', deleteScriptPath: path.join(dir, 'delete-cache.sh') });
  });

  it('applies defaults: context ".", <context>/Dockerfile, both platforms, no args', async () => {
    const dir = await makeSubmission({ student: { id: '99656', name: 'Józef Żółkiewski' } });
    const s = await loadSubmission(dir);
    assert.equal(s.build.context, '.');
    assert.equal(s.build.contextDir, dir);
    assert.equal(s.build.dockerfilePath, path.join(dir, 'Dockerfile'));
    assert.deepEqual(s.build.platforms, ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(s.build.args, {});
    assert.equal(s.published, undefined);
    assert.equal(s.bonus, undefined);
  });

  it('looks for the default Dockerfile inside a sub-folder context', async () => {
    const dir = await makeSubmission({ student: { id: 's123', name: 'A B' }, build: { context: 'app' } }, { 'app/Dockerfile': 'FROM scratch\n' });
    const s = await loadSubmission(dir);
    assert.equal(s.build.contextDir, path.join(dir, 'app'));
    assert.equal(s.build.dockerfile, 'app/Dockerfile');
    assert.equal(s.build.dockerfilePath, path.join(dir, 'app', 'Dockerfile'));
  });

  it('accepts a UTF-8 BOM (Windows Notepad)', async () => {
    const dir = await makeSubmission('\uFEFF' + JSON.stringify({ student: { id: 's123', name: 'A' } }));
    assert.equal((await loadSubmission(dir)).student.id, 's123');
  });

  it('accepts a symlink that stays inside the submission', async () => {
    const dir = await makeSubmission({ student: { id: 's123', name: 'A' }, build: { dockerfile: 'link.Dockerfile' } }, { 'docker/Dockerfile': 'FROM scratch\n' });
    await symlink('docker/Dockerfile', path.join(dir, 'link.Dockerfile'));
    assert.equal((await loadSubmission(dir)).build.dockerfilePath, path.join(dir, 'docker', 'Dockerfile'));
  });
});

describe('loadSubmission: invalid files', () => {
  it('lists every schema error at once, with JSON paths, in Polish', async () => {
    const dir = await makeSubmission({
      student: { name: 'x'.repeat(101), album: 1 },
      published: { image: 'not a ref' },
      build: { args: { 'bad key': '1', N: 2 }, platforms: ['linux/amd64', 'Linux/ARM64', 'linux/amd64'] },
      bonus: {},
      extra: true,
    });
    const error = await inputErrorOf(dir);
    assert.match(error.message, /submission\.json/);
    const p = error.problems;
    const expected: [string, RegExp][] = [
      ['/student/id', /brak wymaganego pola/],
      ['/student/album', /nieznane pole \(dozwolone: id, name\)/],
      ['/student/name', /za długi \(101 znaków, dozwolone najwyżej 100\)/],
      ['/published/image', /oczekiwano wartości pasującej do wzorca/],
      ['/build/args', /nazwa pola „bad key”/],
      ['/build/args/N', /oczekiwano tekstu \(string\), podano liczbę 2/],
      ['/build/platforms/1', /oczekiwano wartości pasującej do wzorca .* \(np\. „linux\/arm64”\), podano „Linux\/ARM64”/],
      ['/build/platforms', /nie mogą się powtarzać \(pozycje 0 i 2/],
      ['/bonus/deleteScript', /brak wymaganego pola/],
      ['/extra', /nieznane pole/],
    ];
    for (const [pointer, re] of expected) {
      assert.ok(
        p.some((line) => line.startsWith(`submission.json: ${pointer}: `) && re.test(line)),
        `no problem for ${pointer} matching ${re}; got:\n${p.join('\n')}`,
      );
    }
    assert.equal(p.length, expected.length, p.join('\n'));
  });

  it('reports a type error for a wrong section type', async () => {
    const error = await inputErrorOf(await makeSubmission({ student: { id: 's123', name: 'A' }, build: { platforms: 'linux/amd64' } }));
    assert.deepEqual(error.problems, ['submission.json: /build/platforms: oczekiwano tablicy [ ... ], podano tekst „linux/amd64”']);
  });

  it('reports malformed JSON with line and column', async () => {
    const error = await inputErrorOf(await makeSubmission('{\n  "student": {"id": "s123", "name": "A",}\n}\n'));
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!, /^submission\.json: błąd składni JSON w wierszu 2, kolumna \d+: /);
  });

  it('reports truncated JSON at its end', async () => {
    const error = await inputErrorOf(await makeSubmission('{\n  "student": {"id": "s123"'));
    assert.match(error.problems[0]!, /wierszu 2, kolumna 27: nieoczekiwany koniec pliku/);
  });

  it('reports an empty file', async () => {
    const error = await inputErrorOf(await makeSubmission('  \n'));
    assert.deepEqual(error.problems, ['submission.json: plik jest pusty']);
  });

  it('reports a missing submission.json', async () => {
    const dir = path.join(tmp, 'no-json');
    await mkdir(dir);
    const error = await inputErrorOf(dir);
    assert.match(error.problems[0]!, /submission\.json: nie ma takiego pliku/);
  });

  it('rejects path traversal with ".." in every path field', async () => {
    const error = await inputErrorOf(await makeSubmission({
      student: { id: 's123', name: 'A' },
      build: { context: '../other', dockerfile: 'sub/../../Dockerfile' },
      bonus: { deleteScript: '..\\evil.sh' },
    }));
    assert.equal(error.problems.length, 3, error.problems.join('\n'));
    assert.match(error.problems[0]!, /^submission\.json: \/build\/context: ścieżka „\.\.\/other” zawiera „\.\.”/);
    assert.match(error.problems[1]!, /^submission\.json: \/build\/dockerfile: .*zawiera „\.\.”/);
    assert.match(error.problems[2]!, /^submission\.json: \/bonus\/deleteScript: .*zawiera „\.\.”/);
  });

  it('rejects absolute paths, POSIX and Windows', async () => {
    const error = await inputErrorOf(await makeSubmission({
      student: { id: 's123', name: 'A' },
      build: { context: '/etc', dockerfile: 'C:\\Users\\jan\\Dockerfile' },
    }));
    assert.equal(error.problems.length, 2, error.problems.join('\n'));
    for (const p of error.problems) assert.match(p, /jest bezwzględna/);
  });

  it('rejects a symlink pointing outside the submission', async () => {
    const outside = path.join(tmp, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'Dockerfile'), 'FROM scratch\n');
    const dir = await makeSubmission({ student: { id: 's123', name: 'A' }, build: { context: 'ctx', dockerfile: 'Dockerfile' } }, {});
    await symlink(path.join(outside, 'Dockerfile'), path.join(dir, 'Dockerfile'));
    await symlink('../outside', path.join(dir, 'ctx'));
    const error = await inputErrorOf(dir);
    assert.equal(error.problems.length, 2, error.problems.join('\n'));
    assert.match(error.problems[0]!, /\/build\/context: .*poza katalog pracy/);
    assert.match(error.problems[1]!, /\/build\/dockerfile: .*poza katalog pracy/);
  });

  it('rejects a submission.json that is a symlink to a file outside', async () => {
    const outside = path.join(tmp, 'secret.json');
    await writeFile(outside, JSON.stringify(VALID));
    const dir = await makeSubmission('{}');
    await rm(path.join(dir, 'submission.json'));
    await symlink(outside, path.join(dir, 'submission.json'));
    const error = await inputErrorOf(dir);
    assert.deepEqual(error.problems, ['submission.json: plik jest dowiązaniem symbolicznym prowadzącym poza katalog pracy']);
  });

  it('reports a dangling symlink', async () => {
    const dir = await makeSubmission({ student: { id: 's123', name: 'A' } }, {});
    await symlink('nowhere', path.join(dir, 'Dockerfile'));
    const error = await inputErrorOf(dir);
    assert.match(error.problems[0]!, /dowiązaniem symbolicznym do nieistniejącego celu/);
  });

  it('reports a missing Dockerfile', async () => {
    const error = await inputErrorOf(await makeSubmission({ student: { id: 's123', name: 'A' } }, {}));
    assert.deepEqual(error.problems, ['submission.json: /build/dockerfile: brak pliku Dockerfile „Dockerfile” — nie istnieje w katalogu pracy']);
  });

  it('reports a Dockerfile that is a directory', async () => {
    const dir = await makeSubmission({ student: { id: 's123', name: 'A' } }, { 'Dockerfile/x': '' });
    const error = await inputErrorOf(dir);
    assert.match(error.problems[0]!, /\/build\/dockerfile: „Dockerfile” nie jest zwykłym plikiem/);
  });

  it('combines schema and path problems in one error', async () => {
    const error = await inputErrorOf(await makeSubmission({ student: { id: 'jan', name: 'A' } }, {}));
    assert.equal(error.problems.length, 2, error.problems.join('\n'));
    assert.match(error.problems[0]!, /\/student\/id: oczekiwano wartości pasującej do wzorca/);
    assert.match(error.problems[1]!, /\/build\/dockerfile: brak pliku Dockerfile/);
  });

  it('rejects a file over 64 KiB without parsing it', async () => {
    const big = JSON.stringify({ ...VALID, student: { id: 's123', name: 'A' }, padding: 'x'.repeat(SUBMISSION_MAX_BYTES) });
    const error = await inputErrorOf(await makeSubmission(big));
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!, /^submission\.json: plik jest za duży \(\d+ B, dozwolone najwyżej 65536 B\)/);
  });
});

describe('loadSubmission: build commands', () => {
  const STUDENT = { id: 's123', name: 'A' };
  const FILES = { Dockerfile: 'FROM scratch\n' };

  it('parses an inline list, naming submission.json and the item', async () => {
    const dir = await makeSubmission({ student: STUDENT, build: { commands: ['docker buildx create --driver docker-container --use', 'docker buildx build \\\n  --push .'] } }, FILES);
    const { commands } = (await loadSubmission(dir)).build;
    assert.equal(commands?.from, 'inline');
    assert.deepEqual(commands.parsed.map((c) => [c.source, c.kind]), [
      [{ file: 'submission.json', line: 1, item: 0 }, 'buildx-create'],
      [{ file: 'submission.json', line: 1, item: 1 }, 'buildx-build'],
    ]);
    assert.equal(commands.parsed[1]!.build?.pushes, true);
  });

  it('reads and parses a script (never runs it), with line numbers', async () => {
    const dir = await makeSubmission({ student: STUDENT, build: { script: 'scripts/build.sh' } }, {
      ...FILES,
      'scripts/build.sh': '#!/bin/sh\r\nset -e\r\n# builder\r\ndocker buildx use lab\r\ndocker buildx build \\\r\n  --cache-to type=registry,ref=r/x:c,mode=max .\r\n',
    });
    const { commands } = (await loadSubmission(dir)).build;
    assert.ok(commands?.from === 'script');
    assert.equal(commands.script, 'scripts/build.sh');
    assert.equal(commands.scriptPath, path.join(dir, 'scripts', 'build.sh'));
    assert.deepEqual(commands.parsed.map((c) => [c.source.file, c.source.line, c.kind]), [['scripts/build.sh', 2, 'other'], ['scripts/build.sh', 4, 'buildx-use'], ['scripts/build.sh', 5, 'buildx-build']]);
    assert.deepEqual(commands.parsed[2]!.build?.cacheTo.map((e) => e.attrs.mode), ['max']);
  });

  it('leaves commands out when none are given', async () => {
    assert.equal((await loadSubmission(await makeSubmission({ student: STUDENT }, FILES))).build.commands, undefined);
  });

  it('rejects commands and script together, and checks the script path like the others', async () => {
    const error = await inputErrorOf(await makeSubmission({ student: STUDENT, build: { commands: ['docker buildx build .'], script: '../build.sh' } }, FILES));
    assert.deepEqual(error.problems, [
      'submission.json: /build: podaj albo „commands”, albo „script”, nie oba naraz',
      'submission.json: /build/script: ścieżka „../build.sh” zawiera „..”; plik musi leżeć wewnątrz katalogu pracy',
    ]);
  });

  it('rejects a script symlinked outside the submission, a missing one and a directory', async () => {
    const outside = path.join(tmp, 'outside-build.sh');
    await writeFile(outside, 'docker buildx build .\n');
    const dir = await makeSubmission({ student: STUDENT, build: { script: 'build.sh' } }, FILES);
    await symlink(outside, path.join(dir, 'build.sh'));
    assert.match((await inputErrorOf(dir)).problems[0]!, /^submission\.json: \/build\/script: .*poza katalog pracy/);
    const missing = await inputErrorOf(await makeSubmission({ student: STUDENT, build: { script: 'nope.sh' } }, FILES));
    assert.deepEqual(missing.problems, ['submission.json: /build/script: brak pliku „nope.sh” — nie istnieje w katalogu pracy']);
    const folder = await inputErrorOf(await makeSubmission({ student: STUDENT, build: { script: 'sub' } }, { ...FILES, 'sub/x': '' }));
    assert.deepEqual(folder.problems, ['submission.json: /build/script: „sub” nie jest zwykłym plikiem']);
  });

  it('rejects a script over the size limit without parsing it', async () => {
    const dir = await makeSubmission({ student: STUDENT, build: { script: 'build.sh' } }, { ...FILES, 'build.sh': '#'.repeat(SCRIPT_MAX_BYTES + 1) });
    assert.deepEqual((await inputErrorOf(dir)).problems, [`submission.json: /build/script: plik „build.sh” jest za duży (${SCRIPT_MAX_BYTES + 1} B, dozwolone najwyżej ${SCRIPT_MAX_BYTES} B)`]);
  });

  it('validates the inline list with the schema', async () => {
    const error = await inputErrorOf(await makeSubmission({ student: STUDENT, build: { commands: ['', 7] } }, FILES));
    assert.deepEqual(error.problems, [
      'submission.json: /build/commands/0: tekst nie może być pusty',
      'submission.json: /build/commands/1: oczekiwano tekstu (string), podano liczbę 7',
    ]);
  });
});
