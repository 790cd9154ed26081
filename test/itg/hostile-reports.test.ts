// Hostile report material graded through the real CLI (`grader check --quick`, no build) and
// rendered to PDF by the real Chromium (issue 13 points 4, 5 and 7): tokens and passwords in the
// report, HTML and links that try to fetch from a loopback server, a zip-bomb DOCX and a 50 MB
// report. Nothing leaks, nothing is fetched, nothing hangs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { GradeResult } from '../../grader/results/types.ts';
import { grader } from '../helpers/cli.ts';
import { deflatedZeros, minimalDocx } from '../helpers/zip.ts';

// Made-up secrets in their issuers' formats (see test/unit/redact.test.ts).
const SECRETS = {
  dockerPat: 'dckr_pat_Xy3kQ9vL0aBcDeFgHiJkLmNoPqR',
  github: 'ghp_0123456789abcdefghijABCDEFGHIJ012345',
  gitlab: 'glpat-AbCdEfGhIjKlMnOpQrSt',
  password: 'SuperTajne123!',
  basic: 'b2xhOlN1cGVyVGFqbmUxMjMh',
};
const MIB = 1024 * 1024;

function hostileReport(origin: string): string {
  return `# Sprawozdanie – lab 7

## Logowanie do Docker Hub

\`\`\`
$ docker login -u ola -p ${SECRETS.password}
$ echo ${SECRETS.dockerPat} | docker login -u ola --password-stdin
$ git clone https://ola:${SECRETS.github}@github.com/ola/lab7.git
$ curl -H "Authorization: Bearer ${SECRETS.gitlab}" https://gitlab.example/api/v4/projects
\`\`\`

Plik ~/.docker/config.json:

\`\`\`json
{ "auths": { "https://index.docker.io/v1/": { "auth": "${SECRETS.basic}" } } }
\`\`\`

## Budowanie

\`\`\`
$ docker buildx build --platform linux/amd64,linux/arm64 -t ola/pogoda:multiarch --push --cache-to type=registry,ref=ola/pogoda:cache,mode=max --cache-from type=registry,ref=ola/pogoda:cache .
\`\`\`

<img src="${origin}/html-img.png">
<script>fetch('${origin}/script')</script>
<iframe src="${origin}/iframe"></iframe>
<link rel="stylesheet" href="${origin}/style.css">
<a href="javascript:alert(1)">kliknij</a>

![zrzut](${origin}/markdown-img.png)
[link](${origin}/link)
`;
}

describe('hostile report material', { timeout: 300_000 }, () => {
  let work: string;
  let server: Server;
  let origin: string;
  const requests: string[] = [];
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-hostile-report-'));
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(work, { recursive: true, force: true });
  });

  test('tokens are redacted, nothing is fetched, a zip bomb and a 50 MB report are refused with the reason', async () => {
    // A repository as handed in: the example's Dockerfile and app, no submission.json, three reports.
    const dir = path.join(work, 's40001');
    await cp('submissions/example', dir, { recursive: true, filter: (src) => !/submission\.json$|sprawozdanie\.md$/.test(src) });
    await writeFile(path.join(dir, 'sprawozdanie.md'), hostileReport(origin));
    // 4 GiB of zeros declared in 4 MiB of deflate data.
    await writeFile(path.join(dir, 'raport.docx'), minimalDocx('<w:p><w:r><w:t>ok</w:t></w:r></w:p>', [
      { name: 'word/media/image1.png', data: deflatedZeros(4095), deflated: true, declaredSize: 4095 * MIB },
    ]));
    await writeFile(path.join(dir, 'log.txt'), '');
    await truncate(path.join(dir, 'log.txt'), 50 * MIB);

    const r = await grader(['check', dir, '--quick', '--format', 'both']);
    console.log(`grader check --quick (hostile report): ${r.ms} ms, exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 1, 'report checks fail (no registry7, no bonus answer), so exit 1');

    const out = `${dir}-grader`;
    const resultText = await readFile(path.join(out, 'results.json'), 'utf8');
    const result = JSON.parse(resultText) as GradeResult;
    // The example's README.md is read too: students often write the report there.
    assert.deepEqual(result.submission.report, ['log.txt', 'README.md', 'sprawozdanie.md', 'raport.docx']);
    const cacheTo = result.checks.find((c) => c.id === 'report.cacheTo')!;
    assert.equal(cacheTo.status, 'pass', cacheTo.message);
    const unread = cacheTo.evidence.find((e) => e.kind === 'table' && e.title === 'Pliki sprawozdania, których nie odczytano');
    assert.ok(unread && unread.kind === 'table', JSON.stringify(cacheTo.evidence));
    assert.deepEqual(unread.rows.map((row) => row[0]), ['log.txt', 'raport.docx']);
    assert.match(unread.rows[0]![1]!, /50 MiB/);
    assert.match(unread.rows[1]![1]!, /po rozpakowaniu/);

    const pdfText = (await promisify(execFile)('pdftotext', [path.join(out, 'raport.pdf'), '-'], { maxBuffer: 64 * MIB })).stdout;
    const md = await readFile(path.join(out, 'raport.md'), 'utf8');
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const [where, text] of [['results.json', resultText], ['raport.md', md], ['raport.pdf', pdfText], ['stdout', r.stdout + r.stderr]] as const) {
        assert.ok(!text.includes(secret), `${name} leaked into ${where}`);
      }
    }
    // Only the grader's own page was loaded: no image, script, frame, style or link reached the server.
    assert.deepEqual(requests, []);
    assert.doesNotMatch(md, /<script|<iframe|javascript:/i, 'student HTML is quoted as text, not passed through');
  });
});
