/**
 * A PDF report through the report checks end to end (issue 12: "no PDF report has gone through the
 * report checks"). Two reports, written as Polish students write lab 7's, exported to HTML as Word
 * or Google Docs does (<h1>/<h2>, <p>, <pre>) and printed to PDF by the real Chromium; read back
 * by poppler (pdftotext -layout) through collectReportEvidence, judged by reportChecks. Pasted
 * build-log lines are those of the captured BuildKit v0.26.3 docker-container logs (the example's
 * report and shared/fixtures/buildx-logs), with the student's own image name. No Docker.
 * `grader read --json` is run on the PDF's text extracted by pdftotext, and on the PDF itself. setup.sh installs Chromium and poppler-utils, so a missing one fails these tests.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer';
import { REPORT_CHECK_IDS, reportChecks } from '../../grader/checks/report/index.ts';
import { requirementsOf, type Requirement } from '../../grader/checks/report/requirements.ts';
import { lineLabel, readDocument } from '../../grader/documents/read-document.ts';
import type { DocumentLine } from '../../grader/documents/types.ts';
import { collectReportEvidence } from '../../grader/grade/report-evidence.ts';
import { launchBrowser } from '../../grader/report/browser.ts';
import { findBrowser } from '../../grader/report/find-browser.ts';
import { printHtml } from '../../grader/report/pdf.ts';
import type { CheckResult } from '../../grader/results/types.ts';
import { run } from '../../grader/util/exec.ts';
import { describeRun, grader } from '../helpers/cli.ts';

const IDS = ['report.twoBuilds', 'report.platforms', 'report.manifest', 'report.cacheEvidence', 'report.builder', 'report.registry7', 'report.cacheTo', 'report.bonus'];
const FILE = 'sprawozdanie.pdf';
const IMAGE = 'localhost:5000/s12345/lab7';
const CACHE_DIGEST = 'sha256:7b713d04f5351e994beb39544fe8a43386eb8bcce9f07cc89ea03fe4ad293bcf';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const p = (text: string) => `<p>${escape(text)}</p>`;
const pre = (lines: string[]) => `<pre>${lines.map(escape).join('\n')}</pre>`;

/** The twelve steps of the captured second build, in its order: every one CACHED. */
const CACHED_STEPS = [
  '#9 [linux/arm64 build1 3/5] WORKDIR /var/node',
  '#10 [linux/arm64 build1 2/5] RUN mkdir -p /var/node',
  '#11 [linux/arm64 build1 5/5] RUN echo "build 1.0 on $(uname -m)" > build.txt',
  '#12 [linux/arm64 prod 2/3] COPY --from=build1 /var/node /var/node',
  '#13 [linux/arm64 build1 4/5] ADD src ./',
  '#14 [linux/amd64 build1 4/5] ADD src ./',
  '#15 [linux/amd64 build1 3/5] WORKDIR /var/node',
  '#16 [linux/amd64 build1 5/5] RUN echo "build 1.0 on $(uname -m)" > build.txt',
  '#17 [linux/amd64 build1 2/5] RUN mkdir -p /var/node',
  '#18 [linux/amd64 prod 2/3] COPY --from=build1 /var/node /var/node',
  '#19 [linux/arm64 prod 3/3] WORKDIR /var/node',
  '#20 [linux/amd64 prod 3/3] WORKDIR /var/node',
];

/** Everything the lab asks for, the bonus included; the second build starts page 2. */
const COMPLETE = [
  '<h1>Sprawozdanie – Laboratorium 7: Docker Buildx</h1>',
  p('Anna Wiśniewska, nr albumu s12345, grupa 3'),
  '<h2>1. Uruchomienie rejestru registry7</h2>',
  p('Lokalny rejestr uruchomiłam z obrazu registry:2 pod nazwą registry7. Zmienna środowiskowa włącza usuwanie manifestów, potrzebne w zadaniu dodatkowym:'),
  pre(['docker run -d -p 5000:5000 --restart=always --name registry7 \\', '  -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2']),
  '<h2>2. Builder ze sterownikiem docker-container</h2>',
  p('Domyślny builder (sterownik docker) nie eksportuje cache do rejestru, dlatego utworzyłam nowy:'),
  pre(['docker buildx create --name lab7builder --driver docker-container \\', '  --driver-opt network=host --use --bootstrap']),
  '<h2>3. Pierwsze budowanie – obraz dla dwóch platform</h2>',
  p('Obraz zbudowałam dla linux/amd64 i linux/arm64 i od razu wypchnęłam do registry7. Cache zapisuje się jako osobny obraz z tagiem buildcache, w trybie max:'),
  pre([
    'docker buildx build --platform linux/amd64,linux/arm64 \\',
    `  -t ${IMAGE}:multiarch --push \\`,
    `  --cache-to type=registry,ref=${IMAGE}:buildcache,mode=max \\`,
    `  --cache-from type=registry,ref=${IMAGE}:buildcache .`,
  ]),
  p('Fragment logu pierwszego budowania (cache jeszcze nie istniał, więc import się nie udał; na końcu cache został wyeksportowany):'),
  pre([
    '#0 building with "lab7builder" instance using docker-container driver',
    '',
    `#5 importing cache manifest from ${IMAGE}:buildcache`,
    `#5 ERROR: failed to configure registry cache importer: ${IMAGE}:buildcache: not found`,
    '',
    '#9 [linux/amd64 build1 2/5] RUN mkdir -p /var/node',
    '#9 DONE 0.2s',
    '',
    '#10 [linux/arm64 build1 2/5] RUN mkdir -p /var/node',
    '#10 DONE 0.2s',
    '',
    '#22 exporting cache to registry',
    '#22 preparing build cache for export',
    '#22 writing config sha256:641cbc0e7cd3269492c919478fa810f4102d4b7b2fb0691a46e7163cd1716ef6 0.0s done',
    '#22 writing cache image manifest sha256:f7b9df09a74965ea8ff5ab23d656477e7475b663745427dfc105c5075dba43df 0.0s done',
    '#22 DONE 0.4s',
  ]),
  '<h2>4. Sprawdzenie manifestu</h2>',
  p('Manifest obrazu zawiera wpisy dla obu architektur:'),
  pre([
    `$ docker buildx imagetools inspect ${IMAGE}:multiarch`,
    `Name:      ${IMAGE}:multiarch`,
    'MediaType: application/vnd.oci.image.index.v1+json',
    'Digest:    sha256:5227f2978a02d8ee39a25d7995ce00c17697f44b95a8640e4e1d37837b1d3b85',
    '',
    'Manifests:',
    `  Name:        ${IMAGE}:multiarch@sha256:f3fbbf18b93c5e0f1a44dc38d5bae40c62e15abac79486f4c36b3f0750b6d4c7`,
    '  MediaType:   application/vnd.oci.image.manifest.v1+json',
    '  Platform:    linux/amd64',
    '',
    `  Name:        ${IMAGE}:multiarch@sha256:7c77a97e6b637cbb6f49ebc125c694bb30bd0f8414398afa25bee103332b5bf1`,
    '  MediaType:   application/vnd.oci.image.manifest.v1+json',
    '  Platform:    linux/arm64',
  ]),
  '<h2 style="page-break-before:always">5. Drugie budowanie z użyciem cache</h2>',
  p('Przed drugim budowaniem wyczyściłam lokalny cache buildera (docker buildx prune --all --force), a potem zbudowałam obraz ponownie, pobierając cache z registry7:'),
  pre([
    'docker buildx build --platform linux/amd64,linux/arm64 \\',
    `  -t ${IMAGE}:multiarch --push \\`,
    `  --cache-from type=registry,ref=${IMAGE}:buildcache \\`,
    `  --cache-to type=registry,ref=${IMAGE}:buildcache,mode=max .`,
  ]),
  p('W logu widać import manifestu cache z rejestru i kroki CACHED dla obu platform:'),
  pre([
    '#0 building with "lab7builder" instance using docker-container driver',
    '',
    `#6 importing cache manifest from ${IMAGE}:buildcache`,
    '#6 inferred cache manifest type: application/vnd.oci.image.manifest.v1+json done',
    '#6 DONE 0.0s',
    '',
    ...CACHED_STEPS.flatMap((step) => [step, `${step.split(' ')[0]} CACHED`, '']),
    '#22 exporting cache to registry',
    `#22 writing cache image manifest ${CACHE_DIGEST} 0.0s done`,
    '#22 DONE 0.2s',
  ]),
  '<h2>6. Zadanie dodatkowe – usunięcie obrazu cache z registry7</h2>',
  p('Najpierw odczytałam digest manifestu cache z nagłówka Docker-Content-Digest. Cache jest zapisany jako manifest obrazu OCI, więc ten typ trzeba podać w nagłówku Accept:'),
  pre([
    'curl -I -H "Accept: application/vnd.oci.image.manifest.v1+json" \\',
    '  http://localhost:5000/v2/s12345/lab7/manifests/buildcache',
    'HTTP/1.1 200 OK',
    'Content-Type: application/vnd.oci.image.manifest.v1+json',
    `Docker-Content-Digest: ${CACHE_DIGEST}`,
  ]),
  p('Następnie usunęłam manifest po digeście (po tagu rejestr odmawia):'),
  pre([`curl -X DELETE http://localhost:5000/v2/s12345/lab7/manifests/${CACHE_DIGEST}`, 'HTTP/1.1 202 Accepted']),
  p('Na koniec garbage collection, żeby zwolnić miejsce na dysku:'),
  pre([
    'docker exec registry7 bin/registry garbage-collect /etc/docker/registry/config.yml',
    's12345/lab7',
    's12345/lab7: marking manifest sha256:5227f2978a02d8ee39a25d7995ce00c17697f44b95a8640e4e1d37837b1d3b85',
    's12345/lab7: marking blob sha256:1b4ef0466e555812a73c476d12da4efd01647a0a3775ee7973c6d6e3973f93f8',
    '',
    '9 blobs marked, 2 blobs and 0 manifests eligible for deletion',
    'blob eligible for deletion: sha256:641cbc0e7cd3269492c919478fa810f4102d4b7b2fb0691a46e7163cd1716ef6',
    `blob eligible for deletion: ${CACHE_DIGEST}`,
    'time="2026-12-01T10:15:02.123456789Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/64/641cbc0e7cd3269492c919478fa810f4102d4b7b2fb0691a46e7163cd1716ef6" go.version=go1.20.8 service=registry',
    `time="2026-12-01T10:15:02.124011532Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/7b/${CACHE_DIGEST.slice(7)}" go.version=go1.20.8 service=registry`,
  ]),
].join('\n');

/**
 * The usual mistakes: the registry not named registry7, a docker-driver builder, one build for one
 * platform with --load, the cache in mode=min under the image's own tag, a single-platform manifest,
 * a sentence instead of a CACHED log, no bonus.
 */
const WRONG = [
  '<h1>Sprawozdanie z laboratorium nr 7</h1>',
  p('Jan Kowalski, s54321'),
  '<h2>Rejestr</h2>',
  p('Uruchomiłem lokalny rejestr:'),
  pre(['docker run -d -p 5000:5000 --name registry registry:2']),
  '<h2>Builder</h2>',
  pre(['docker buildx create --name mybuilder --driver docker --use']),
  '<h2>Budowanie obrazu</h2>',
  p('Obraz zbudowałem i załadowałem lokalnie, cache zapisałem w rejestrze:'),
  pre([
    'docker buildx build --platform linux/amd64 -t localhost:5000/lab7:latest --load \\',
    '  --cache-to type=registry,ref=localhost:5000/lab7:latest,mode=min \\',
    '  --cache-from type=registry,ref=localhost:5000/lab7:latest .',
  ]),
  pre([
    '#0 building with "default" instance using docker driver',
    '',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 503B 0.0s done',
    '#1 DONE 0.0s',
    '',
    '#9 [build1 2/5] RUN mkdir -p /var/node',
    '#9 DONE 0.2s',
    '',
    '#10 [build1 3/5] WORKDIR /var/node',
    '#10 DONE 0.0s',
  ]),
  p('Przy ponownym budowaniu w logach pojawiło się CACHED, więc cache działa.'),
  '<h2>Manifest</h2>',
  pre([
    '$ docker buildx imagetools inspect localhost:5000/lab7:latest',
    'Name:      localhost:5000/lab7:latest',
    'MediaType: application/vnd.docker.distribution.manifest.v2+json',
    'Digest:    sha256:f3fbbf18b93c5e0f1a44dc38d5bae40c62e15abac79486f4c36b3f0750b6d4c7',
  ]),
].join('\n');

// <pre> does not wrap: Chromium shrinks the page to its widest line, so a command stays one line of
// the PDF's text. (Wrapped, the DELETE by digest breaks after "curl -X DELETE" and report.bonus fails.)
const STYLE = "body{font-family:'DejaVu Sans',sans-serif;font-size:11pt}pre{font-family:'DejaVu Sans Mono',monospace;font-size:7.5pt;background:#f3f3f3;padding:6px}";

let browser: Browser;
let dir: string;
/** Each report's repository: sprawozdanie.pdf at its root. */
let complete: string;
let wrong: string;
const printMs: number[] = [];

async function printReport(repo: string, body: string): Promise<void> {
  const html = `<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Sprawozdanie</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  const started = performance.now();
  const { pdf } = await printHtml(html, { browser });
  printMs.push(Math.round(performance.now() - started));
  await mkdir(repo);
  await writeFile(path.join(repo, FILE), pdf);
}

async function judge(repo: string): Promise<{ checks: Record<string, CheckResult>; list: CheckResult[]; ms: number; evidence: Awaited<ReturnType<typeof collectReportEvidence>> }> {
  const started = performance.now();
  const evidence = await collectReportEvidence({ root: repo, files: [FILE], fetchImages: false });
  const list = reportChecks(evidence, REPORT_CHECK_IDS);
  return { checks: Object.fromEntries(list.map((c) => [c.id, c])), list, ms: Math.round(performance.now() - started), evidence };
}

/** The PDF's lines as the document reader numbers them (the numbers the checks cite). */
async function pdfLines(repo: string): Promise<DocumentLine[]> {
  const doc = await readDocument(FILE, { root: repo });
  assert.ok(doc.ok, doc.ok ? '' : `${doc.reason}: ${doc.message}`);
  assert.equal(doc.kind, 'pdf');
  return doc.lines;
}

function lineWith(lines: DocumentLine[], start: string, nth = 0): DocumentLine {
  const found = lines.filter((l) => l.text.startsWith(start))[nth];
  assert.ok(found, `no line ${nth + 1} starting with ${JSON.stringify(start)}:\n${lines.map((l) => `${l.number}: ${l.text}`).join('\n')}`);
  return found;
}

before(async () => {
  const missing: string[] = [];
  for (const tool of ['pdfinfo', 'pdftotext', 'pdfimages']) {
    if ((await run(tool, ['-v'], { timeoutMs: 10_000 })).spawnError) missing.push(`${tool} (poppler-utils)`);
  }
  const found = await findBrowser();
  if (!found.found) missing.push(`${found.problem} ${found.fix}`);
  assert.deepEqual(missing, [], `setup.sh installs these tools; run npm run setup. Missing: ${missing.join('; ')}`);

  browser = await launchBrowser();
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'report-pdf-checks-')));
  complete = path.join(dir, 'kompletne');
  wrong = path.join(dir, 'bledne');
  await printReport(complete, COMPLETE);
  await printReport(wrong, WRONG);
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a PDF report printed by Chromium, through the report checks', () => {
  it('a complete report: all eight requirements pass, each citing sprawozdanie.pdf and the line of its text', async (t) => {
    const { checks, list, ms, evidence } = await judge(complete);
    t.diagnostic(`Chromium printed the two PDFs in ${printMs.join(' + ')} ms; poppler + report checks on the complete one: ${ms} ms`);
    assert.deepEqual(evidence.unreadable, []);
    assert.deepEqual(evidence.screenshots, []);
    assert.equal(evidence.reports.length, 1);
    const report = evidence.reports[0]!;
    assert.deepEqual([report.file, report.format, report.extractedFrom, report.confidence], [FILE, 'plain', 'pdf', 'report']);
    assert.deepEqual(list.map((c) => [c.id, c.status]), IDS.map((id) => [id, 'pass']));

    const lines = await pdfLines(complete);
    const registry = lineWith(lines, 'docker run -d -p 5000:5000');
    const create = lineWith(lines, 'docker buildx create');
    const build1 = lineWith(lines, 'docker buildx build');
    const build2 = lineWith(lines, 'docker buildx build', 1);
    const driver1 = lineWith(lines, '#0 building with');
    const driver2 = lineWith(lines, '#0 building with', 1);
    const manifest = lineWith(lines, 'Name:      localhost:5000');
    const imported = lineWith(lines, '#6 importing cache manifest from');
    const head = lineWith(lines, 'curl -I');
    const del = lineWith(lines, 'curl -X DELETE');
    const gc = lineWith(lines, 'docker exec registry7');

    // The line counts through the whole extracted text; the page helps find it in the PDF.
    const at = (l: DocumentLine) => `${FILE}, wiersz ${l.number}, na stronie ${l.page}`;
    assert.equal(checks['report.twoBuilds']!.message, 'Sprawozdanie pokazuje 2 polecenia budowania.');
    assert.equal(checks['report.platforms']!.message, `Polecenie w sprawozdaniu (${at(build1)}) buduje dla linux/amd64, linux/arm64.`);
    assert.equal(checks['report.manifest']!.message, `Sprawozdanie pokazuje manifest obrazu ${IMAGE}:multiarch z platformami linux/amd64, linux/arm64 (${at(manifest)}).`);
    assert.equal(checks['report.cacheEvidence']!.message, `Sprawozdanie pokazuje import cache (${at(imported)}) i kroki CACHED (12 z 12).`);
    assert.deepEqual(checks['report.cacheEvidence']!.metrics, { cached: 12, total: 12 });
    assert.equal(
      checks['report.builder']!.message,
      `Sprawozdanie pokazuje builder ze sterownikiem docker-container: polecenie docker buildx create (${at(create)}); log budowania (${at(driver1)}); log budowania (${at(driver2)}).`,
    );
    assert.equal(checks['report.registry7']!.message, `Sprawozdanie pokazuje uruchomienie registry7 z obrazu registry:2 (${at(registry)}).`);
    assert.equal(checks['report.cacheTo']!.message, `Polecenie w sprawozdaniu (${at(build1)}) eksportuje cache do rejestru jako osobny obraz ${IMAGE}:buildcache w trybie max.`);
    assert.equal(
      checks['report.bonus']!.message,
      `Odpowiedź w sprawozdaniu ma wszystkie części: usuwanie włączone w registry7 (${at(registry)}); digest odczytany z nagłówkiem Accept (${at(head)}); DELETE po digeście (${at(del)}); garbage collection (${at(gc)}).`,
    );
    const answers = checks['report.bonus']!.evidence.find((e) => e.kind === 'text');
    assert.ok(answers?.kind === 'text');
    const marking = lineWith(lines, 's12345/lab7: marking manifest');
    assert.match(answers.text, new RegExp(`garbage-collect: 2 usuniętych blobów \\(${FILE}, wiersz ${marking.number}, na stronie ${marking.page}\\)`));

    // The checks cite the line through the whole extracted text; the PDF reader also knows its page.
    assert.deepEqual([build1.page, build2.page, imported.page, del.page], [1, 2, 2, 2]);
    assert.equal(lineLabel(imported), `strona 2, wiersz ${imported.pageLine}`);
    assert.ok(imported.number > imported.pageLine!, 'page 2 lines are numbered after page 1');

    // Every line the requirements quote (as grader read --json lists them) is that line of the PDF.
    const requirements = requirementsOf(list);
    for (const r of requirements) {
      assert.ok(r.evidence.length > 0, `${r.id} quotes no line`);
      for (const e of r.evidence) {
        assert.equal(e.file, FILE, r.id);
        const source = lines[e.line - 1];
        assert.ok(source && source.number === e.line, `${r.id}: no PDF line ${e.line}`);
        // A command is quoted whole from its first line (continuations joined, prompt left out).
        const first = source.text.replace(/^\$ /, '').replace(/\s*\\$/, '').trim();
        assert.ok(first.length > 0 && e.text.trim().startsWith(first), `${r.id}: line ${e.line} is ${JSON.stringify(source.text)}, quoted ${JSON.stringify(e.text)}`);
      }
    }
    const quoted = (id: string) => requirements.find((r) => r.id === id)!.evidence;
    assert.deepEqual(quoted('report.cacheEvidence').find((e) => e.line === imported.number), { file: FILE, line: imported.number, text: `#6 importing cache manifest from ${IMAGE}:buildcache` });
    assert.equal(quoted('report.cacheTo')[0]!.line, build1.number);
    assert.match(quoted('report.cacheTo')[0]!.text, /--cache-to type=registry,ref=localhost:5000\/s12345\/lab7:buildcache,mode=max/);
  });

  it('a wrong report: each mistake fails or earns part of the points, saying why and where in the PDF', async (t) => {
    const { checks, list, ms, evidence } = await judge(wrong);
    t.diagnostic(`poppler + report checks on the wrong PDF: ${ms} ms`);
    assert.deepEqual(evidence.unreadable, []);
    assert.equal(evidence.reports[0]?.extractedFrom, 'pdf');
    const verdicts = Object.fromEntries(list.map((c) => [c.id, [c.status, c.partial ?? null]]));
    assert.deepEqual(verdicts, {
      'report.twoBuilds': ['fail', 0.5],
      'report.platforms': ['fail', 0.5],
      'report.manifest': ['fail', 0.5],
      'report.cacheEvidence': ['fail', null],
      'report.builder': ['fail', null],
      'report.registry7': ['fail', 0.5],
      'report.cacheTo': ['fail', 0.5],
      'report.bonus': ['fail', null],
    });

    const lines = await pdfLines(wrong);
    const build = lineWith(lines, 'docker buildx build');
    const manifest = lineWith(lines, 'Name:      localhost:5000');
    const message = (id: string) => checks[id]!.message;
    const at = (l: DocumentLine) => `${FILE}, wiersz ${l.number}, na stronie ${l.page}`;
    assert.equal(message('report.twoBuilds'), 'Sprawozdanie pokazuje tylko jedno budowanie; laboratorium prosi o co najmniej dwa.');
    assert.equal(message('report.platforms'), `Polecenie w sprawozdaniu (${at(build)}) buduje tylko dla linux/amd64; laboratorium wymaga linux/amd64 i linux/arm64.`);
    assert.equal(message('report.manifest'), `Manifest w sprawozdaniu (${at(manifest)}) nie pokazuje platform: linux/amd64, linux/arm64.`);
    // "pojawiło się CACHED" in a sentence is no evidence.
    assert.equal(message('report.cacheEvidence'), 'Wklejone logi budowania nie pokazują ani importu cache, ani kroków CACHED.');
    // The docker driver both in the create command and in the log's #0 line.
    assert.equal(message('report.builder'), 'Builder w sprawozdaniu nie używa sterownika docker-container (--driver docker).');
    assert.equal(message('report.registry7'), 'Sprawozdanie uruchamia rejestr z obrazu registry, ale pod inną nazwą niż registry7 (registry).');
    assert.equal(
      message('report.cacheTo'),
      `Polecenie w sprawozdaniu (${at(build)}) eksportuje cache do rejestru, ale: tryb mode=min zamiast mode=max; cache pod tą samą referencją co obraz (-t), a ma być osobnym obrazem.`,
    );
    assert.match(message('report.bonus'), /^Brak odpowiedzi: sprawozdanie nie pokazuje usunięcia obrazu cache z registry7/);
    for (const id of IDS) assert.ok(checks[id]!.hint, `${id} says what to do`);

    assert.deepEqual(
      requirementsOf(list).map((r) => [r.id, r.status]),
      IDS.map((id) => [id, verdicts[id]![1] === null ? 'fail' : 'partial']),
    );
  });

  it('grader read --json on the PDF\'s text as pdftotext -layout extracts it: the same requirements, at the lines the PDF reader numbers', async (t) => {
    // The instructor's way round grader read refusing a PDF (next test): the text of the PDF, as a .txt file.
    const txt = path.join(dir, 'sprawozdanie-z-pdf.txt');
    const extracted = await run('pdftotext', ['-layout', '-enc', 'UTF-8', '-eol', 'unix', path.join(complete, FILE), txt], { timeoutMs: 30_000 });
    assert.equal(extracted.exitCode, 0, extracted.stderr);
    const result = await grader(['read', txt, '--json']);
    t.diagnostic(`grader read --json on the extracted text: ${result.ms} ms`);
    assert.equal(result.code, 0, describeRun(result));
    const json = JSON.parse(result.stdout) as { requirements: Requirement[]; format: string; commands: { file: string; line: number; kind: string }[] };
    assert.equal(json.format, 'plain');
    assert.deepEqual(json.requirements.map((r) => [r.id, r.status]), IDS.map((id) => [id, 'pass']));
    assert.ok(json.requirements.every((r) => r.evidence.length > 0 && r.evidence.every((e) => e.file === txt)));
    const lines = await pdfLines(complete);
    const builds = json.commands.filter((c) => c.kind === 'buildx-build');
    assert.deepEqual(builds.map((c) => [c.file, c.line]), [[txt, lineWith(lines, 'docker buildx build').number], [txt, lineWith(lines, 'docker buildx build', 1).number]]);
    assert.deepEqual(
      json.commands.map((c) => c.line),
      (await judge(complete)).evidence.reports[0]!.commands.map((c) => c.line),
      'the commands of the text stand at the lines grader grade cites in the PDF',
    );
  });

  it(
    'grader read <pdf> --json gives the requirements and the commands of the PDF',
    async (t) => {
      const pdf = path.join(complete, FILE);
      const result = await grader(['read', pdf, '--json']);
      t.diagnostic(`grader read --json: ${result.ms} ms`);
      assert.equal(result.code, 0, describeRun(result));
      const json = JSON.parse(result.stdout) as { requirements: Requirement[]; extractedFrom: string | null; commands: { file: string; line: number; text: string; kind: string }[] };
      assert.deepEqual(json.requirements.map((r) => [r.id, r.status]), IDS.map((id) => [id, 'pass']));
      assert.equal(json.extractedFrom, 'pdf');
      const lines = await pdfLines(complete);
      assert.ok(json.commands.length > 0);
      const builds = json.commands.filter((c) => c.kind === 'buildx-build');
      assert.deepEqual(builds.map((c) => [c.file, c.line]), [[pdf, lineWith(lines, 'docker buildx build').number], [pdf, lineWith(lines, 'docker buildx build', 1).number]]);
      assert.ok(json.requirements.every((r) => r.evidence.length > 0 && r.evidence.every((e) => e.file === pdf)));
    },
  );
});
