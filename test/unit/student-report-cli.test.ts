/** `grader read`: the Polish listing, the --json object, and input errors naming the file. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { HELP, run } from '../../grader/cli/read.ts';
import { ExitCode, InputError, exitCodeOf } from '../../grader/errors.ts';
import { runCaptured } from '../helpers/capture.ts';

const COMPLETE = 'test/fixtures/student-reports/complete.md';
const ctx = { signal: new AbortController().signal };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runQuiet = (argv: string[]) => runCaptured(run, argv, ctx);

describe('grader read', () => {
  it('--json: the requirements contract, with the quoted lines of the real seed report', async () => {
    const { code, out } = await runQuiet(['../shared/seeds/sprawozdanie-studenta-przyklad.md', '--json']);
    assert.equal(code, ExitCode.ok);
    const json = JSON.parse(out) as { requirements: { id: string; status: string; message: string; evidence: { file: string; line: number; text: string }[] }[] };
    assert.deepEqual(json.requirements.map((r) => [r.id, r.status]), [
      ['report.twoBuilds', 'pass'], ['report.platforms', 'pass'],
      // Shown only in the screenshots, which read does not OCR.
      ['report.manifest', 'manual'], ['report.cacheEvidence', 'manual'],
      ['report.builder', 'pass'], ['report.registry7', 'fail'], ['report.cacheTo', 'pass'], ['report.bonus', 'fail'],
    ]);
    const builder = json.requirements.find((r) => r.id === 'report.builder')!;
    assert.deepEqual(builder.evidence.map((e) => [e.file, e.line]), [['../shared/seeds/sprawozdanie-studenta-przyklad.md', 3]]);
    assert.match(builder.evidence[0]!.text, /^docker buildx create --name multiarch-builder --driver docker-container/);
  });

  it('lists sections, commands, pasted output and screenshots in Polish', async () => {
    const { code, out } = await runQuiet([COMPLETE]);
    assert.equal(code, ExitCode.ok);
    for (const expected of [
      `Sprawozdanie: ${COMPLETE} (Markdown, wierszy: 262)`,
      'w. 10  docker run -d -p 5055:5000 -e REGISTRY_STORAGE_DELETE_ENABLED=true --name registry7 registry:2',
      'builder: lab7builder, sterownik docker-container, --use',
      'w. 93–192  log budowania (format plain) [blok kodu, po poleceniu z w. 92;',
      'import cache z 127.0.0.1:5055/fixturecapture/app:buildcache: zaimportowano (w. 113)',
      'CACHED: linux/amd64 6/6, linux/arm64 6/6',
      'platformy: linux/amd64, linux/arm64',
      'HTTP 202 Accepted (w. 243)',
      'zdalny (załącznik GitHub): https://github.com/user-attachments/assets/0b8e6f1c-5d2a-4c3e-9f71-2a6b8d4e5f90',
      'to deklaracje studenta',
    ]) assert.ok(out.includes(expected), `missing: ${expected}\n${out}`);
  });

  it('--json: commands with lines, outputs with facts; no paragraph text', async () => {
    const { code, out } = await runQuiet([COMPLETE, '--json']);
    assert.equal(code, ExitCode.ok);
    const json = JSON.parse(out);
    assert.equal(json.file, COMPLETE);
    assert.deepEqual(json.commands.filter((c: { kind: string }) => c.kind === 'buildx-build').map((c: { line: number }) => c.line), [39, 92]);
    const logs = json.outputs.filter((o: { kind: string }) => o.kind === 'build-log');
    assert.deepEqual(logs.map((o: { log: { cacheImport: { status: string } } }) => o.log.cacheImport.status), ['not-found', 'imported']);
    assert.equal(json.paragraphs, 12);
    assert.ok(!out.includes('Jan Kowalski, s12345'), 'paragraph text stays out of the JSON');
  });

  it('hides credentials written in the report', async () => {
    const report = join(dir, 'hasla.md');
    await writeFile(report, '```\ncurl -u jan:TajneHaslo123 -X DELETE http://localhost:5000/v2/app/manifests/sha256:' + 'a'.repeat(64) + '\n```\n');
    for (const argv of [[report], [report, '--json']]) {
      const { out } = await runQuiet(argv);
      assert.ok(out.includes('curl -u jan:***') && !out.includes('TajneHaslo123'), out);
    }
  });

  it('--help shows usage and examples', async () => {
    const { code, out } = await runQuiet(['--help']);
    assert.equal(code, ExitCode.ok);
    assert.equal(out, HELP);
    assert.match(out, /Przykłady:\n {2}grader read sprawozdanie\.md/);
  });

  it('input errors name the file: missing, a folder, a PDF, too big; no file or two files', async () => {
    const expectInput = async (argv: string[], pattern: RegExp) => {
      await assert.rejects(run(argv, ctx), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.match(e.message, pattern);
        assert.equal(exitCodeOf(e), ExitCode.badInput);
        return true;
      });
    };
    const missing = join(dir, 'brak.md');
    await expectInput([missing], new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: plik nie istnieje`));
    await expectInput([dir], /nie jest plikiem/);
    const pdf = join(dir, 'sprawozdanie.pdf');
    await writeFile(pdf, '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
    // A PDF goes to the PDF reader, which says a damaged one is damaged.
    await expectInput([pdf], /Nie można odczytać sprawozdania .*sprawozdanie\.pdf: Plik PDF jest uszkodzony/);
    const huge = join(dir, 'ogromny.md');
    await writeFile(huge, '');
    await truncate(huge, 5 * 1024 * 1024 + 1);
    await expectInput([huge], /ogromny\.md ma 5,0 MiB — więcej niż 5,0 MiB/);
    await expectInput([], /Podaj plik sprawozdania/);
    await expectInput([COMPLETE, COMPLETE], /czyta jeden plik, podano 2/);
    await expectInput([COMPLETE, '--bez-takiej-opcji'], /Błędne opcje polecenia „read”/);
  });

  it('reads .txt as plain text: a `# ` line is not a heading there', async () => {
    const notes = join(dir, 'notatki.txt');
    await writeFile(notes, '# komentarz\n\nEtap 1 - budowanie\ndocker buildx build --push -t jan/app:v1 .\n');
    const { out } = await runQuiet([notes, '--json']);
    const json = JSON.parse(out);
    assert.equal(json.format, 'plain');
    assert.deepEqual(json.sections.map((s: { title: string }) => s.title), ['Etap 1 - budowanie']);
    assert.deepEqual(json.commands.map((c: { line: number }) => c.line), [4]);
  });
});
