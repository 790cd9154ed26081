/** The report reader on reports written in the shapes real lab 7 reports take (see test/fixtures/student-reports/README.md). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { readMarkdownReport, readReport, type ReportOutput, type StudentReport } from '../../grader/student-report/index.ts';

const FIXTURES = new URL('../fixtures/student-reports/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, FIXTURES), 'utf8');

function read(text: string, file = 'sprawozdanie.md'): StudentReport {
  const r = readMarkdownReport(text, file);
  assert.ok(r.ok, 'the report was read');
  return r.report;
}

function output<K extends ReportOutput['kind']>(r: StudentReport, kind: K, line?: number): Extract<ReportOutput, { kind: K }> {
  const found = r.outputs.filter((o): o is Extract<ReportOutput, { kind: K }> => o.kind === kind && (line === undefined || o.line === line));
  assert.equal(found.length, 1, `one ${kind} output${line ? ` at line ${line}` : ''}: ${JSON.stringify(r.outputs.map((o) => [o.kind, o.line]))}`);
  return found[0]!;
}

/** Every quoted line is the file's line (tty lines as the log parser cleaned them: trailing blanks trimmed). */
function quotesAreTrue(r: StudentReport, text: string): void {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const quoted = [
    ...r.outputs.flatMap((o) => o.excerpt),
    ...r.outputs.flatMap((o) => (o.kind === 'build-log' ? o.log.evidence : [])),
  ];
  for (const q of quoted) {
    assert.ok(q.line >= 1 && q.line <= r.lineCount, `line ${q.line}`);
    assert.ok(lines[q.line - 1]!.includes(q.text.trim()), `line ${q.line} is ${JSON.stringify(lines[q.line - 1])}, quoted ${JSON.stringify(q.text)}`);
  }
}

describe('a complete report: registry7, docker-container builder, two builds, manifest, bonus', async () => {
  const text = await fixture('complete.md');
  const r = read(text, 'docs/sprawozdanie.md');
  const cmd = (line: number) => {
    const c = r.commands.find((x) => x.line === line);
    assert.ok(c, `a command at line ${line}`);
    return c;
  };

  it('keeps the heading path of every section', () => {
    assert.deepEqual(r.sections.map((s) => [s.line, s.level, s.title]), [
      [1, 1, 'Sprawozdanie – Laboratorium 7'],
      [5, 2, 'Zadanie 1 – registry7 i builder'],
      [32, 2, 'Zadanie 2 – budowanie z cache'],
      [34, 3, 'Budowanie 1'],
      [87, 3, 'Budowanie 2'],
      [199, 3, 'Manifest'],
      [226, 2, 'Zadanie dodatkowe – usunięcie obrazu cache z registry7'],
    ]);
    assert.deepEqual(cmd(92).section, ['Sprawozdanie – Laboratorium 7', 'Zadanie 2 – budowanie z cache', 'Budowanie 2']);
  });

  it('finds the commands with their lines, through the command module', () => {
    assert.deepEqual(r.commands.map((c) => [c.line, c.parsed.kind, c.origin]), [
      [10, 'other', 'code-block'], [12, 'other', 'code-block'], [20, 'buildx-create', 'code-block'], [21, 'other', 'code-block'],
      [39, 'buildx-build', 'code-block'], [92, 'buildx-build', 'code-block'], [202, 'other', 'code-block'],
      [231, 'other', 'code-block'], [242, 'other', 'code-block'], [251, 'other', 'code-block'], [259, 'other', 'code-block'],
    ]);
    assert.deepEqual(cmd(10).parsed.argv.slice(-3), ['--name', 'registry7', 'registry:2']);
    assert.equal(cmd(20).parsed.create?.driver, 'docker-container');
    for (const line of [39, 92]) {
      const b = cmd(line).parsed.build!;
      assert.deepEqual(b.platforms, ['linux/amd64', 'linux/arm64']);
      assert.deepEqual(b.cacheTo.map((e) => [e.type, e.attrs.ref, e.attrs.mode]), [['registry', '127.0.0.1:5055/fixturecapture/app:buildcache', 'max']]);
      assert.equal(cmd(line).parsed.source.file, 'docs/sprawozdanie.md');
    }
    assert.ok(r.commands.every((c) => c.placeholders.length === 0));
  });

  it('reads build 1: the driver line, the cache not found yet, the cache exported, a left-out part', () => {
    const log = output(r, 'build-log', 50);
    assert.equal(r.commands[log.after!]!.line, 39, 'follows the build command of the block above');
    assert.equal(log.confidence, 'report');
    assert.deepEqual(log.log.builder, { name: 'lab7builder', driver: 'docker-container', line: 50 });
    assert.equal(log.log.cacheImport.status, 'not-found');
    assert.equal(log.log.cacheImport.line, 66);
    assert.equal(log.log.cacheExport.exported, true);
    assert.equal(log.log.cacheExport.manifestDigest, 'sha256:1789843ea0ac91913c447f87d7c4fa5a43173722fe8f79dfa4066ea64e9add1d');
    assert.deepEqual(log.log.edits, [{ kind: 'gap', line: 68, text: '...' }]);
  });

  it('reads build 2 from the block of its prompted command: import, CACHED per platform, export', () => {
    const log = output(r, 'build-log', 93);
    assert.equal(r.commands[log.after!]!.line, 92);
    assert.equal(log.log.format, 'plain');
    assert.equal(log.log.cacheImport.status, 'imported');
    assert.equal(log.log.cacheImport.ref, '127.0.0.1:5055/fixturecapture/app:buildcache');
    assert.deepEqual(log.log.platforms, [{ platform: 'linux/amd64', cached: 6, total: 6 }, { platform: 'linux/arm64', cached: 6, total: 6 }]);
    assert.equal(log.log.cacheExport.manifestDigest, 'sha256:4594687e56300b36bf504f56a7ed3b2d16cb8af20eb502e140a4276216b7317d');
    assert.equal(log.log.failed, false);
    assert.ok(log.log.evidence.some((e) => e.line === 113 && e.text.startsWith('#6 importing cache manifest')));
    assert.ok(log.log.evidence.filter((e) => e.text.endsWith('CACHED')).length >= 2);
  });

  it('reads the manifest (attestations left out), registry answers, garbage-collect, containers and builders', () => {
    const m = output(r, 'manifest');
    assert.equal(r.commands[m.after!]!.line, 202);
    assert.deepEqual(m.manifest.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(m.manifest.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(m.manifest.digest, 'sha256:4ee0f697df7d1e56dbe497f670d53f53e02d42b5a4701662f21ded132ae30c20');
    assert.deepEqual(m.manifest.manifests.map((e) => [e.line, e.platform, e.attestation]), [[210, 'linux/amd64', false], [214, 'linux/arm64', false], [218, 'unknown/unknown', true]]);

    const head = output(r, 'registry', 232);
    assert.deepEqual(head.registry.statuses, [{ line: 232, code: 200, text: 'OK' }]);
    assert.deepEqual(head.registry.digests, [{ line: 235, digest: 'sha256:4594687e56300b36bf504f56a7ed3b2d16cb8af20eb502e140a4276216b7317d' }]);
    assert.deepEqual(output(r, 'registry', 243).registry.statuses, [{ line: 243, code: 202, text: 'Accepted' }]);
    assert.deepEqual(output(r, 'registry', 260).registry.tagLists, [{ line: 260, name: 'fixturecapture/app', tags: ['cold', 'warm'] }]);

    const gc = output(r, 'gc');
    assert.equal(r.commands[gc.after!]!.line, 251);
    assert.deepEqual([gc.gc.markedManifests, gc.gc.eligibleBlobs, gc.gc.deletedBlobs, gc.gc.summaryLine], [1, 1, 1, 256]);
    assert.equal(gc.gc.summary.blobsEligible, 10);

    assert.deepEqual(output(r, 'containers').containers.map((c) => [c.names, c.image]), [['registry7', 'registry:2']]);
    const builders = output(r, 'builders');
    assert.equal(r.commands[builders.after!]!.line, 21, 'the listing block follows `docker buildx ls`');
    assert.deepEqual(builders.builders.map((b) => [b.name, b.driver, b.current]), [['lab7builder', 'docker-container', true], ['default', 'docker', false]]);
    // `docker run -d` printed the container id: output, not a command.
    assert.equal(output(r, 'other', 11).after, 0);
  });

  it('classifies screenshots: a GitHub attachment, a file next to the report', () => {
    assert.deepEqual(r.images.map((i) => [i.line, i.via, i.location]), [
      [197, 'markdown', { kind: 'remote', url: 'https://github.com/user-attachments/assets/0b8e6f1c-5d2a-4c3e-9f71-2a6b8d4e5f90', https: true, githubAttachment: true }],
      [224, 'markdown', { kind: 'local', path: 'docs/img/manifest.png', outside: false }],
    ]);
  });

  it('quotes only lines that are in the file, and keeps every item inside it', () => {
    quotesAreTrue(r, text);
    const lines = [...r.sections, ...r.paragraphs, ...r.codeBlocks, ...r.inlineCode, ...r.images, ...r.commands, ...r.outputs].map((i) => i.line);
    assert.ok(lines.every((n) => n >= 1 && n <= r.lineCount));
    assert.deepEqual(r.notes, []);
  });
});

describe('traps of real reports', async () => {
  const text = await fixture('traps.md');
  const r = read(text);
  const build = (line: number) => {
    const c = r.commands.find((x) => x.line === line);
    assert.ok(c?.parsed.build, `a build at line ${line}`);
    return c.parsed.build;
  };

  it('bold and "Zadanie N" lines are sections; the setext underlines of a pasted log are not', () => {
    assert.deepEqual(r.sections.map((s) => [s.line, s.level, s.path]), [
      [1, 1, ['Lab 7 – sprawozdanie']],
      [5, null, ['Lab 7 – sprawozdanie', 'Zadanie 1']],
      [51, null, ['Lab 7 – sprawozdanie', 'Zadanie 2']],
      [164, 2, ['Lab 7 – sprawozdanie', 'Zadanie dodatkowe']],
    ]);
  });

  it('PowerShell prompt and backticks; --provenance=mode=max is not a cache mode', () => {
    const b = build(12);
    assert.deepEqual(b.cacheTo.map((e) => e.text), ['type=registry,ref=ola/pogoda:cache,mode=max']);
    assert.deepEqual(b.tags, ['ola/pogoda:multi']);
    assert.ok(b.pushes);
    // The builder's name printed by `docker buildx create` is output, not a command.
    assert.deepEqual(output(r, 'other', 11).excerpt.map((e) => e.text), ['olabuilder']);
  });

  it('a tty log pasted by hand: docker driver, ref cut at the terminal width, left-out lines and a comment', () => {
    const log = output(r, 'build-log', 19);
    assert.equal(r.commands[log.after!]!.line, 12);
    assert.equal(log.log.format, 'tty');
    assert.deepEqual(log.log.builder, { name: 'default', driver: 'docker', line: 19 });
    assert.equal(log.log.cacheImport.refCut, true);
    assert.deepEqual(log.log.platforms.map((p) => [p.platform, p.cached, p.total]), [['linux/amd64', 6, 6], ['linux/arm64', 6, 6]]);
    assert.deepEqual(log.log.edits.map((e) => [e.kind, e.line]), [['annotation', 30], ['gap', 42]]);
  });

  it('cmd ^ continuations with shorthand --cache-to; -q prints a digest, not a log; inline cache and a git context', () => {
    const shorthand = build(56);
    assert.deepEqual(shorthand.cacheTo.map((e) => [e.shorthand, e.type, e.attrs.ref, e.attrs.mode]), [[true, 'registry', 'ola/pogoda:buildcache', undefined]]);
    assert.equal(build(66).quiet, true);
    const digest = output(r, 'digest');
    assert.equal(r.commands[digest.after!]!.line, 66);
    assert.equal(digest.digest, 'sha256:639601e3531936bebff20fdffe7dcd3ef7f949e7979b9bafc8b0e1d19ba846f5');
    const inline = build(73);
    assert.deepEqual(inline.cacheTo.map((e) => e.type), ['inline']);
    assert.deepEqual(inline.context, { text: 'https://github.com/ola/pogoda.git#main', kind: 'git' });
  });

  it('manifest JSON after a paragraph naming its command in inline code: platforms, linked to that command, not to the build above', () => {
    const m = output(r, 'manifest');
    assert.equal(m.manifest.form, 'json');
    assert.equal(m.manifest.validJson, true);
    assert.deepEqual(m.manifest.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(m.manifest.manifests.filter((e) => e.attestation).length, 2);
    assert.deepEqual(r.commands[m.after!]!.parsed.argv.slice(0, 3), ['docker', 'manifest', 'inspect']);
  });

  it('a failed log pasted without a fence is one output, though Markdown cuts it into headings and a quote', () => {
    const log = output(r, 'build-log', 135);
    assert.equal(log.origin, 'text');
    assert.equal(log.endLine, 154);
    assert.equal(log.log.failed, true);
    assert.equal(log.log.error?.line, 150);
    assert.match(log.log.error!.message, /exit code: 127$/);
  });

  it('chatbot text and template placeholders are flagged', () => {
    assert.deepEqual(r.notes.map((n) => [n.code, n.line]), [['chatbot-text', 156], ['chatbot-text', 162]]);
    assert.deepEqual(r.commands.find((c) => c.line === 159)?.placeholders, ['<registry>', '<image>', '<cache-image>']);
  });

  it('DELETE by tag: 405 and UNSUPPORTED', () => {
    const answer = output(r, 'registry');
    assert.deepEqual(answer.registry.statuses, [{ line: 168, code: 405, text: 'Method Not Allowed' }]);
    assert.deepEqual(answer.registry.errorCodes, [{ line: 172, code: 'UNSUPPORTED' }]);
  });

  it('an <img> tag, an encoded local path, a path on the student\'s disk', () => {
    assert.deepEqual(r.images.map((i) => [i.line, i.via, i.location.kind === 'local' ? i.location.path : i.location.kind]), [
      [49, 'html', 'remote'], [131, 'markdown', 'img/build 2.png'], [175, 'markdown', 'C:/Users/ola/Desktop/zrzut.png'],
    ]);
    assert.deepEqual(r.images[2]!.location, { kind: 'local', path: 'C:/Users/ola/Desktop/zrzut.png', outside: true });
  });

  it('reads a CRLF copy of the report the same way, line for line', () => {
    const crlf = read(text.replace(/\n/g, '\r\n'));
    const shape = (x: StudentReport) => JSON.stringify([x.sections, x.commands.map((c) => [c.line, c.parsed.argv]), x.outputs, x.images, x.notes]);
    assert.equal(shape(crlf), shape(r));
    quotesAreTrue(r, text);
  });
});

describe('the seed report (real, no fences, no headings)', async () => {
  const text = await readFile(new URL('../fixtures/commands/sprawozdanie-fragment.md', import.meta.url), 'utf8');
  const r = read(text);

  it('finds the commands in prose, in the "Etap N" sections', () => {
    assert.deepEqual(r.commands.map((c) => [c.line, c.parsed.kind, c.origin, c.section.join(' / ')]), [
      [3, 'buildx-create', 'text', 'Etap 1 - wieloplatformowy obraz'],
      [9, 'buildx-build', 'text', 'Etap 1 - wieloplatformowy obraz'],
      [17, 'other', 'text', 'Etap 1 - wieloplatformowy obraz'],
      [25, 'buildx-build', 'text', 'Etap 2 - cache budowania z registry'],
    ]);
    assert.deepEqual(r.commands[0]!.parsed.problems.map((p) => p.code), ['typographic-dash']);
    assert.deepEqual(r.sections.map((s) => [s.line, s.level]), [[1, null], [23, null]]);
  });

  it('shows the manifest only as a screenshot: no pasted output, one GitHub attachment', () => {
    assert.deepEqual(r.outputs, []);
    assert.deepEqual(r.images.map((i) => [i.line, i.alt, i.location.kind === 'remote' && i.location.githubAttachment]), [[20, 'image', true]]);
  });
});

describe('reader details', () => {
  it('prompts: $, user@host, PS C:\\>, > after a two-line prompt; the prompt context is not output', () => {
    const r = read([
      '```', '~/lab7', '> docker buildx use lab', '$ docker buildx ls', 'NAME/NODE     DRIVER/ENDPOINT', 'lab*          docker-container',
      'jan@laptop:~/lab7$ docker buildx inspect lab', 'Name:          lab', 'Driver:        docker-container',
      'PS C:\\lab7> docker buildx imagetools inspect jan/app:v1', 'Name:      docker.io/jan/app:v1', 'MediaType: application/vnd.oci.image.index.v1+json', '```',
    ].join('\n'));
    assert.deepEqual(r.commands.map((c) => [c.line, c.parsed.argv.slice(0, 3).join(' ')]), [[3, 'docker buildx use'], [4, 'docker buildx ls'], [7, 'docker buildx inspect'], [10, 'docker buildx imagetools']]);
    assert.deepEqual(r.outputs.map((o) => [o.line, o.kind, o.after]), [[5, 'builders', 1], [8, 'builders', 2], [11, 'manifest', 3]]);
    assert.deepEqual(r.outputs.map((o) => (o.kind === 'builders' ? o.builders.map((b) => [b.name, b.driver]) : null)), [[['lab', 'docker-container']], [['lab', 'docker-container']], null]);
  });

  it('PowerShell ">> " continuation prompts', () => {
    const r = read(['```', 'PS C:\\lab7> docker buildx build `', '>>   --platform linux/amd64,linux/arm64 `', '>>   --push .', '```'].join('\n'));
    assert.deepEqual(r.commands[0]?.parsed.build?.platforms, ['linux/amd64', 'linux/arm64']);
  });

  it('a block of weak output lines alone is output; a block of commands stays commands', () => {
    const r = read(['```', 'View build details: docker-desktop://dashboard/build/b/b0/x1', '```', '', '```', 'docker buildx create --use', 'docker buildx ls', '```'].join('\n'));
    assert.deepEqual(r.outputs.map((o) => [o.line, o.kind]), [[2, 'build-log']]);
    assert.deepEqual(r.commands.map((c) => c.line), [6, 7]);
  });

  it('non-shell fences hold no commands; a Dockerfile is neither command nor output', () => {
    const r = read(['```dockerfile', 'FROM node:22-alpine AS build', 'RUN docker buildx build .', '```', '```yaml', 'image: registry:2', '```'].join('\n'));
    assert.deepEqual([r.commands, r.outputs], [[], []]);
    assert.deepEqual(r.codeBlocks.map((b) => [b.line, b.contentLine, b.endLine, b.lang]), [[1, 2, 4, 'dockerfile'], [5, 6, 7, 'yaml']]);
  });

  it('output in inline code and in prose, linked to the command just above', () => {
    const r = read([
      '```bash', 'curl -i -X DELETE http://localhost:5000/v2/app/manifests/sha256:' + 'a'.repeat(64), '```', '',
      'Rejestr odpowiedział `HTTP/1.1 202 Accepted`.', '',
      'Po garbage-collect:', '', 'app: marking manifest sha256:' + 'b'.repeat(64), '3 blobs marked, 2 blobs and 0 manifests eligible for deletion',
    ].join('\n'));
    assert.deepEqual(r.outputs.map((o) => [o.line, o.kind, o.origin, o.after]), [[5, 'registry', 'inline-code', 0], [9, 'gc', 'text', null]]);
  });

  it('raw HTML is text: a fenced log inside <details> is still read, a tag is no image unless it is <img>', () => {
    const r = read(['<details><summary>Log</summary>', '', '```', '#0 building with "b" instance using docker-container driver', '```', '', '</details>', '<img src="zrzut.png" alt="log">'].join('\n'), 'raport/README.md');
    assert.equal(output(r, 'build-log').log.builder?.driver, 'docker-container');
    assert.deepEqual(r.images.map((i) => [i.line, i.alt, i.location]), [[8, 'log', { kind: 'local', path: 'raport/zrzut.png', outside: false }]]);
  });

  it('an unclosed fence is noted: the rest of the report became code', () => {
    const r = read(['## Budowanie', '```bash', 'docker buildx build --push .', '', '## Manifest', 'tekst'].join('\n'));
    assert.deepEqual(r.notes, [{ code: 'unclosed-fence', file: 'sprawozdanie.md', line: 2, text: '```bash' }]);
    assert.deepEqual(r.sections.map((s) => s.title), ['Budowanie']);
    assert.equal(r.codeBlocks[0]!.closed, false);
  });

  it('curl -v: request lines are output, not `> ` prompts; a pretty-printed tags list', () => {
    const r = read([
      '```', '$ curl -v -X DELETE http://localhost:5000/v2/app/manifests/sha256:' + 'c'.repeat(64), '> DELETE /v2/app/manifests/sha256:' + 'c'.repeat(64) + ' HTTP/1.1',
      '> Host: localhost:5000', '< HTTP/1.1 202 Accepted', '< Docker-Distribution-Api-Version: registry/2.0',
      '$ curl -s localhost:5000/v2/app/tags/list | jq', '{', '  "name": "app",', '  "tags": null', '}', '```',
    ].join('\n'));
    assert.deepEqual(r.commands.map((c) => [c.line, c.parsed.argv[0]]), [[2, 'curl'], [7, 'curl'], [7, 'jq']]);
    const [deleted, tags] = r.outputs;
    assert.ok(deleted?.kind === 'registry' && tags?.kind === 'registry');
    assert.deepEqual(deleted.registry.requests, [{ line: 3, method: 'DELETE', path: '/v2/app/manifests/sha256:' + 'c'.repeat(64) }]);
    assert.deepEqual(deleted.registry.statuses, [{ line: 5, code: 202, text: 'Accepted' }]);
    assert.deepEqual(tags.registry.tagLists, [{ line: 9, name: 'app', tags: null }]);
    assert.equal(r.commands[tags.after!]!.line, 7);
  });

  it('plain text (extracted from a PDF or read by OCR): the same commands and output, OCR with lower confidence', () => {
    const text = ['Etap 1: budowanie', 'docker buildx build --platform linux/amd64,linux/arm64 \\', '  --push -t jan/app:v1 .', '', 'Platform:    linux/amd64', 'Platform:    linux/arm64'].join('\n');
    const r = readReport({ file: 'sprawozdanie.pdf', text, format: 'plain', extractedFrom: 'ocr' });
    assert.ok(r.ok);
    assert.equal(r.report.confidence, 'ocr');
    assert.deepEqual(r.report.sections.map((s) => [s.line, s.title]), [[1, 'Etap 1: budowanie']]);
    assert.deepEqual(r.report.commands.map((c) => [c.line, c.parsed.build?.platforms]), [[2, ['linux/amd64', 'linux/arm64']]]);
    const m = r.report.outputs[0];
    assert.ok(m?.kind === 'manifest');
    assert.deepEqual([m.line, m.endLine, m.confidence, m.manifest.platforms], [5, 6, 'ocr', ['linux/amd64', 'linux/arm64']]);
    assert.deepEqual(r.report.paragraphs.map((p) => [p.line, p.endLine]), [[1, 3], [5, 6]]);
  });

  it('a report over the size limit is a typed result, at once', () => {
    const started = performance.now();
    const r = readMarkdownReport('x'.repeat(5 * 1024 * 1024 + 1), 'ogromny.md');
    assert.deepEqual(r, { ok: false, error: { code: 'too-large', file: 'ogromny.md', bytes: 5 * 1024 * 1024 + 1, limit: 5 * 1024 * 1024 } });
    assert.ok(performance.now() - started < 1000);
  });
});
