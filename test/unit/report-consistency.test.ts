// report.consistency (issue 12 point 6): the report's build logs, build commands and digests
// against the repository's Dockerfile, build command and what was published. Inputs are built
// the real way: Markdown reports through the report reader, build.sh through the command parser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { reportConsistencyCheck, type ConsistencyInput } from '../../grader/checks/report-consistency.ts';
import { parseShellText } from '../../grader/commands/parse.ts';
import type { ParsedCommand } from '../../grader/commands/types.ts';
import { consistencyOf, reportFacts, type ReportFacts } from '../../grader/grade/report-evidence.ts';
import type { CheckResult } from '../../grader/results/types.ts';
import { assertLinear } from './fuzz-support.ts';
import { readMarkdownReport, type StudentReport } from '../../grader/student-report/index.ts';

// ---------------------------------------------------------------------------------------------
// Helpers

const REPORT = 'sprawozdanie.md';

function read(text: string, file = REPORT): StudentReport {
  const r = readMarkdownReport(text, file);
  assert.ok(r.ok, JSON.stringify(r));
  return r.report;
}

/**
 * What report-evidence.ts's reportFacts (not exported) takes from a typed report: build-log
 * steps and digests, imagetools/JSON manifest digests, bare `-q` digests, and the build commands.
 */
/** The grader's own extraction of what report.consistency compares. */
function factsOf(...reports: StudentReport[]): ReportFacts {
  return reportFacts({ reports });
}

function inputOf(facts: ReportFacts, o: Partial<Omit<ConsistencyInput, keyof ReportFacts>> = {}): ConsistencyInput {
  return {
    dockerfile: o.dockerfile === undefined ? { file: 'Dockerfile', text: NODE_DOCKERFILE } : o.dockerfile,
    logs: facts.logs,
    reportBuilds: facts.reportBuilds,
    repositoryBuild: o.repositoryBuild ?? null,
    published: o.published ?? {},
    reportDigests: facts.reportDigests,
  };
}

function check(md: string, o: Partial<Omit<ConsistencyInput, keyof ReportFacts>> = {}): CheckResult | undefined {
  return reportConsistencyCheck(inputOf(factsOf(read(md)), o));
}

/** The repository's build command: the only `docker buildx build` of a script. */
function scriptBuild(text: string, file = 'build.sh'): ParsedCommand {
  const builds = parseShellText(text, { file, style: 'script' }).filter((c) => c.build !== undefined);
  assert.equal(builds.length, 1, text);
  return builds[0]!;
}

/** 1-based line of the only line of `text` containing `needle` (independent of the reader's numbering). */
function lineOf(text: string, needle: string, nth = 1): number {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.ok(hits.length >= nth, `no ${nth}. line with ${needle}`);
  return hits[nth - 1]!;
}

const md = (...lines: string[]) => lines.join('\n') + '\n';
const fence = (lines: readonly string[], lang = '') => ['```' + lang, ...lines, '```'];

const titles = (r: CheckResult | undefined) => r?.evidence?.map((e) => e.title);
function evidenceText(r: CheckResult | undefined, title: string): string | undefined {
  const e = r?.evidence?.find((x) => x.title === title);
  return e && e.kind === 'text' ? e.text : undefined;
}

/**
 * One tty progress line as buildx draws it on an 80-column terminal: the timer right-aligned;
 * a name too long for the line is cut so that exactly two blanks are left before the timer.
 */
function tty(body: string, seconds = '0.0s', width = 80): string {
  const head = ` => ${body}`;
  const room = width - seconds.length - 2;
  if (head.length > room) return `${head.slice(0, room)}  ${seconds}`;
  assert.ok(head.length < room, 'a whole line must leave more than two blanks');
  return head.padEnd(width - seconds.length) + seconds;
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the lab's two-stage Node Dockerfile, a Go one, build.sh, digests

const NODE_DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM node:20-alpine AS build1',
  'ARG VERSION=1.0',
  '# curl do healthchecka',
  'RUN apk add --no-cache curl && \\',
  '    mkdir -p /var/node',
  'WORKDIR /var/node',
  'COPY package*.json ./',
  'RUN npm ci --omit=dev',
  'ADD src ./',
  'RUN echo "wersja ${VERSION} na $(uname -m)" > version.txt && \\',
  '\techo "zbudowano $VERSION" >> version.txt',
  '',
  'FROM node:20-alpine AS prod',
  'COPY --from=build1 /var/node /var/node',
  'WORKDIR /var/node',
  'CMD ["node", "src/index.js"]',
].join('\n');

const GO_DOCKERFILE = [
  'FROM golang:1.22-alpine AS build',
  'WORKDIR /src',
  'COPY go.mod go.sum ./',
  'RUN go mod download',
  'COPY . .',
  'RUN CGO_ENABLED=0 go build -o /out/app .',
  '',
  'FROM alpine:3.20',
  'COPY --from=build /out/app /usr/local/bin/app',
  'ENTRYPOINT ["/usr/local/bin/app"]',
].join('\n');

const IMAGE = 'localhost:5000/s12345/pogoda';
const BUILD_SH = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  `docker buildx build --platform linux/amd64,linux/arm64 \\`,
  `  -t ${IMAGE}:multiarch --push \\`,
  `  --cache-to type=registry,ref=${IMAGE}:buildcache,mode=max \\`,
  `  --cache-from type=registry,ref=${IMAGE}:buildcache \\`,
  '  .',
].join('\n');
const REPO_BUILD = scriptBuild(BUILD_SH);
/** The same command as typed into a report (prompt, other line breaks, flags in another order). */
const REPORT_BUILD_LINES = [
  `$ docker buildx build --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch \\`,
  `    --cache-from type=registry,ref=${IMAGE}:buildcache \\`,
  `    --cache-to type=registry,ref=${IMAGE}:buildcache,mode=max --push .`,
];

const NODE_BASE = 'sha256:19125f69ce0d545b8ce20a07c57e7f3c32ebf711a2aa8133459d3014102de975';
const INDEX = 'sha256:9665d04af424cc18b9e6594f9a44d5df65eebe629966a10ffaf0cfb4ab873a31';
const INDEX_REBUILT = 'sha256:411a7595fa127e44ac630be41c66044a508b09042d0092c18ee9cee8d780cb14';
const CACHE = 'sha256:b85fe213780a4e5f11990074d6bd9e28893cdd5cb5e473d6f7dc14a85444343d';
const CACHE_OLD = 'sha256:d4ddbde37c615910e7bb63432690f33cccfc375fb858a5f7537478d23dd7dc15';
const AMD64 = 'sha256:122686367b06877e4efa097e0f55a088c620a1286d048c2a4c580f162b2c4d0e';
const ARM64 = 'sha256:47ba71f6a6310ac99d55bd88d3c06f6245a34bad3be1dbe44dde8d0828f1a1b5';
const LAYER = 'sha256:3292c7ecc53e64cbaabb8f966b5e289224fcc2eafcbf7995a676b83d5daef89e';

/** How BuildKit names the Node Dockerfile's steps: continuations joined as written, ARGs expanded. */
const APK_STEP = 'RUN apk add --no-cache curl &&     mkdir -p /var/node';
const ECHO_STEP = 'RUN echo "wersja 1.0 na $(uname -m)" > version.txt && \techo "zbudowano 1.0" >> version.txt';

/** A warm `--progress=plain` build of NODE_DOCKERFILE for both platforms, pushed, cache exported. */
function plainNodeLog(o: { index?: string; cache?: string } = {}): string[] {
  const steps: string[] = [];
  let n = 7;
  for (const platform of ['linux/amd64', 'linux/arm64']) {
    for (const [label, instruction] of [
      ['build1 2/7', APK_STEP], ['build1 3/7', 'WORKDIR /var/node'], ['build1 4/7', 'COPY package*.json ./'],
      ['build1 5/7', 'RUN npm ci --omit=dev'], ['build1 6/7', 'ADD src ./'], ['build1 7/7', ECHO_STEP],
      ['prod 2/3', 'COPY --from=build1 /var/node /var/node'], ['prod 3/3', 'WORKDIR /var/node'],
    ] as const) {
      steps.push(`#${n} [${platform} ${label}] ${instruction}`, `#${n} CACHED`, '');
      n++;
    }
  }
  return [
    '#0 building with "lab7builder" instance using docker-container driver',
    '',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 612B done',
    '#1 DONE 0.0s',
    '',
    '#2 [linux/arm64 internal] load metadata for docker.io/library/node:20-alpine',
    '#2 DONE 1.2s',
    '',
    '#3 [internal] load .dockerignore',
    '#3 transferring context: 2B done',
    '#3 DONE 0.0s',
    '',
    `#4 importing cache manifest from ${IMAGE}:buildcache`,
    '#4 inferred cache manifest type: application/vnd.oci.image.manifest.v1+json done',
    '#4 DONE 0.1s',
    '',
    `#5 [linux/amd64 build1 1/7] FROM docker.io/library/node:20-alpine@${NODE_BASE}`,
    `#5 resolve docker.io/library/node:20-alpine@${NODE_BASE} 0.0s done`,
    '#5 DONE 0.0s',
    '',
    '#6 [internal] load build context',
    '#6 transferring context: 1.31kB done',
    '#6 DONE 0.0s',
    '',
    ...steps,
    `#${n} exporting to image`,
    `#${n} exporting layers done`,
    `#${n} exporting manifest ${AMD64} done`,
    `#${n} exporting manifest ${ARM64} done`,
    `#${n} exporting manifest list ${o.index ?? INDEX} done`,
    `#${n} pushing layers 0.3s done`,
    `#${n} pushing manifest for ${IMAGE}:multiarch@${o.index ?? INDEX} 0.1s done`,
    `#${n} DONE 0.6s`,
    '',
    `#${n + 1} exporting cache to registry`,
    `#${n + 1} preparing build cache for export`,
    `#${n + 1} writing layer ${LAYER} 0.1s done`,
    `#${n + 1} writing cache image manifest ${o.cache ?? CACHE} 0.0s done`,
    `#${n + 1} DONE 0.3s`,
  ];
}

function imagetools(digest: string): string[] {
  return [
    `$ docker buildx imagetools inspect ${IMAGE}:multiarch`,
    `Name:      ${IMAGE}:multiarch`,
    'MediaType: application/vnd.oci.image.index.v1+json',
    `Digest:    ${digest}`,
    '',
    'Manifests:',
    `  Name:      ${IMAGE}:multiarch@${AMD64}`,
    '  MediaType: application/vnd.oci.image.manifest.v1+json',
    '  Platform:  linux/amd64',
    '',
    `  Name:      ${IMAGE}:multiarch@${ARM64}`,
    '  MediaType: application/vnd.oci.image.manifest.v1+json',
    '  Platform:  linux/arm64',
  ];
}

/** A Node report: the build command, its plain log, the imagetools listing. */
function nodeReport(o: { index?: string; cache?: string; inspected?: string } = {}): string {
  return md(
    '# Sprawozdanie – laboratorium 7',
    '',
    'Anna Kowalska, s12345',
    '',
    '## Budowanie obrazu',
    '',
    'Obraz zbudowałam poleceniem ze skryptu build.sh:',
    '',
    ...fence(REPORT_BUILD_LINES, 'bash'),
    '',
    'Log drugiego budowania (wszystkie kroki z cache):',
    '',
    ...fence(plainNodeLog(o)),
    '',
    '## Manifest',
    '',
    ...fence(imagetools(o.inspected ?? o.index ?? INDEX)),
  );
}

const SUFFIX = ' Log może pochodzić z innego projektu albo z wcześniejszej wersji Dockerfile.';
const HEAD = (n: string) => `Sprawozdanie nie we wszystkim zgadza się z repozytorium (${n}; to nie odbiera punktów, ale warto to sprawdzić). `;

// ---------------------------------------------------------------------------------------------

describe('report.consistency: nothing to compare', () => {
  test('no logs, no commands, no digests → undefined', () => {
    const text = md('# Sprawozdanie', '', 'Zrzuty ekranu w katalogu img/.', '', '![budowanie](img/build.png)');
    assert.equal(check(text, { repositoryBuild: REPO_BUILD, published: { image: INDEX, cache: CACHE } }), undefined);
  });

  test('each comparison needs both sides: a log without a Dockerfile, a Dockerfile without logs, digests without published ones', () => {
    const text = nodeReport();
    const facts = factsOf(read(text));
    assert.equal(facts.logs.length, 1);
    assert.equal(facts.reportDigests.length, 3);
    // A log, but no Dockerfile; report commands, but no repository command; digests, but nothing published.
    assert.equal(reportConsistencyCheck(inputOf(facts, { dockerfile: null })), undefined);
    // A log without any Dockerfile step (only the export) is not compared.
    const exportOnly = factsOf(read(md('# S', '', ...fence(plainNodeLog().slice(-13)))));
    assert.deepEqual(exportOnly.logs.map((l) => l.instructions), [[]]);
    assert.equal(reportConsistencyCheck(inputOf(exportOnly)), undefined);
    // The repository command alone (the report shows none) is not compared.
    assert.equal(reportConsistencyCheck(inputOf(factsOf(read(md('# S', '', 'Budowałam skryptem.'))), { repositoryBuild: REPO_BUILD })), undefined);
  });
});

describe('report.consistency: build-log steps against the Dockerfile', () => {
  test('every step of a plain log is a Dockerfile instruction → pass, naming what was compared', () => {
    const text = nodeReport();
    const facts = factsOf(read(text));
    // What the reader took from the log: FROM left out, each instruction once, where it first appears.
    assert.deepEqual(facts.logs[0]!.instructions.map((i) => [i.text, i.line]), [
      [APK_STEP, lineOf(text, '[linux/amd64 build1 2/7]')],
      ['WORKDIR /var/node', lineOf(text, '[linux/amd64 build1 3/7]')],
      ['COPY package*.json ./', lineOf(text, '[linux/amd64 build1 4/7]')],
      ['RUN npm ci --omit=dev', lineOf(text, '[linux/amd64 build1 5/7]')],
      ['ADD src ./', lineOf(text, '[linux/amd64 build1 6/7]')],
      [ECHO_STEP, lineOf(text, '[linux/amd64 build1 7/7]')],
      ['COPY --from=build1 /var/node /var/node', lineOf(text, '[linux/amd64 prod 2/3]')],
    ]);
    const r = reportConsistencyCheck(inputOf(facts));
    assert.equal(r?.id, 'report.consistency');
    assert.equal(r?.status, 'pass');
    assert.equal(r?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: kroki 1 logu budowania z Dockerfile).');
    assert.deepEqual(r?.evidence, [{ kind: 'text', title: 'Porównano', text: '- kroki 1 logu budowania z Dockerfile' }]);
  });

  test('the Dockerfile is named as the grader builds it (path relative to the repository)', () => {
    const r = check(nodeReport(), { dockerfile: { file: 'app/Dockerfile.multi', text: NODE_DOCKERFILE } });
    assert.equal(r?.status, 'pass');
    assert.equal(r?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: kroki 1 logu budowania z app/Dockerfile.multi).');
  });

  test('a continued RUN (`&& \\` + an indented line) matches the log that joins it with several blanks; another command does not', () => {
    const dockerfile = md(
      'FROM debian:bookworm-slim',
      'RUN apt-get update && \\',
      '    apt-get install -y --no-install-recommends curl ca-certificates && \\',
      '    rm -rf /var/lib/apt/lists/*',
      'CMD ["curl", "--version"]',
    );
    const joined = 'RUN apt-get update &&     apt-get install -y --no-install-recommends curl ca-certificates &&     rm -rf /var/lib/apt/lists/*';
    const log = (step: string) => md('# S', '', ...fence([
      `#5 [linux/amd64 1/2] FROM docker.io/library/debian:bookworm-slim@${NODE_BASE}`,
      '#5 DONE 0.0s',
      '',
      `#6 [linux/amd64 2/2] ${step}`,
      '#6 0.512 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]',
      '#6 DONE 9.8s',
    ]));
    const ok = check(log(joined), { dockerfile: { file: 'Dockerfile', text: dockerfile } });
    assert.equal(ok?.status, 'pass');
    // The same step with one word changed is not the Dockerfile's.
    const changed = joined.replace('ca-certificates', 'wget');
    const text = log(changed);
    const bad = check(text, { dockerfile: { file: 'Dockerfile', text: dockerfile } });
    assert.equal(bad?.status, 'manual');
    assert.match(bad!.message, /^Sprawozdanie nie we wszystkim zgadza się z repozytorium \(1 rozbieżność; /);
    assert.ok(bad!.message.includes(`„${changed}” (wiersz ${lineOf(text, '#6 [linux/amd64 2/2]')})`), bad!.message);
  });

  test('${VERSION} and $VERSION in the Dockerfile match the log that prints them expanded', () => {
    const facts = factsOf(read(nodeReport()));
    const echo = facts.logs[0]!.instructions.find((i) => i.text.startsWith('RUN echo'));
    assert.equal(echo?.text, ECHO_STEP);
    assert.equal(reportConsistencyCheck(inputOf(facts))?.status, 'pass');
    // The variable stands for its value only: the text around it must still be the Dockerfile's.
    const other = md('# S', '', ...fence([
      '#9 [linux/amd64 build1 7/7] RUN echo "wersja 1.0 na $(uname -m)" > wersja.txt &&     echo "zbudowano 1.0" >> wersja.txt',
      '#9 DONE 0.2s',
    ]));
    assert.equal(check(other)?.status, 'manual');
  });

  test('tty log: CACHED and running steps, steps cut at the terminal width match the Dockerfile by their start', () => {
    const lines = [
      '[+] Building 14.6s (23/23) FINISHED                     docker-container:lab7builder',
      tty('[internal] load build definition from Dockerfile'),
      tty('=> transferring dockerfile: 612B'),
      tty('[linux/arm64 internal] load metadata for docker.io/library/node:20-alpine', '1.2s'),
      tty(`importing cache manifest from ${IMAGE}:buildcache`, '0.1s'),
      tty(`[linux/amd64 build1 1/7] FROM docker.io/library/node:20-alpine@${NODE_BASE}`),
      tty(`CACHED [linux/amd64 build1 2/7] ${APK_STEP}`),
      tty('CACHED [linux/amd64 build1 3/7] WORKDIR /var/node'),
      tty('CACHED [linux/amd64 build1 4/7] COPY package*.json ./'),
      tty('[linux/amd64 build1 5/7] RUN npm ci --omit=dev', '4.1s'),
      tty('[linux/amd64 build1 6/7] ADD src ./'),
      tty('CACHED [linux/arm64 prod 2/3] COPY --from=build1 /var/node /var/node'),
      tty('exporting to image', '1.9s'),
    ];
    const text = md('# S', '', 'Budowanie w terminalu:', '', ...fence(lines));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.logs[0]!.instructions.map((i) => [i.text, i.cut]), [
      ['RUN apk add --no-cache curl &&     mkd', true],
      ['WORKDIR /var/node', false],
      ['COPY package*.json ./', false],
      ['RUN npm ci --omit=dev', false],
      ['ADD src ./', false],
      ['COPY --from=build1 /var/node /var/node', false],
    ]);
    const r = reportConsistencyCheck(inputOf(facts));
    assert.equal(r?.status, 'pass', r?.message);
    assert.equal(r?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: kroki 1 logu budowania z Dockerfile).');
  });

  test('lower-case Dockerfile instructions: BuildKit prints the keyword in upper case', () => {
    const dockerfile = md('from node:20-alpine', 'workdir /app', 'copy package.json ./', 'run npm install', 'cmd ["node", "index.js"]');
    const text = md('# S', '', ...fence([
      '#6 [2/4] WORKDIR /app',
      '#6 DONE 0.0s',
      '',
      '#7 [3/4] COPY package.json ./',
      '#7 DONE 0.0s',
      '',
      '#8 [4/4] RUN npm install',
      '#8 DONE 5.1s',
    ]));
    assert.equal(check(text, { dockerfile: { file: 'Dockerfile', text: dockerfile } })?.status, 'pass');
  });

  test('only logs with Dockerfile steps are counted as compared', () => {
    const text = md('# S', '', ...fence(plainNodeLog()), '', 'Eksport obrazu i cache:', '', ...fence(plainNodeLog().slice(-13)));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.logs.map((l) => l.instructions.length), [7, 0]);
    assert.equal(evidenceText(reportConsistencyCheck(inputOf(facts)), 'Porównano'), '- kroki 1 logu budowania z Dockerfile');
  });

  test('a cut tty step that ends in "..." matches by its start; a cut step that starts otherwise does not', () => {
    const dockerfile = md('FROM python:3.12-slim', 'WORKDIR /app', 'COPY requirements.txt .', 'RUN pip install --no-cache-dir -r requirements.txt', 'COPY . .');
    const log = (step: string) => md('# S', '', ...fence([
      '[+] Building 8.1s (10/10) FINISHED                          docker:default',
      ` => [2/4] WORKDIR /app                                                    0.1s`,
      ` => ${step}  2.4s`,
    ]));
    const cut = '[3/4] RUN pip install --no-cache-dir -r requirem...';
    const facts = factsOf(read(log(cut)));
    assert.deepEqual(facts.logs[0]!.instructions.map((i) => [i.text, i.cut]), [['WORKDIR /app', false], ['RUN pip install --no-cache-dir -r requirem...', true]]);
    assert.equal(reportConsistencyCheck(inputOf(facts, { dockerfile: { file: 'Dockerfile', text: dockerfile } }))?.status, 'pass');

    const foreign = '[3/4] RUN pip install --no-cache-dir -r dev-requ...';
    const text = log(foreign);
    const r = check(text, { dockerfile: { file: 'Dockerfile', text: dockerfile } });
    assert.equal(r?.status, 'manual');
    assert.ok(r!.message.includes(`„RUN pip install --no-cache-dir -r dev-requ...” (wiersz ${lineOf(text, 'dev-requ')})`), r!.message);
  });

  test('a whole (not cut) step that is only the start of a Dockerfile instruction is not that instruction', () => {
    const text = md('# S', '', ...fence([
      tty('[linux/amd64 build1 4/7] COPY package*.json ./'),
      tty('[linux/amd64 build1 5/7] RUN npm ci', '3.0s'),
    ]));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.logs[0]!.instructions.map((i) => i.cut), [false, false]);
    const r = reportConsistencyCheck(inputOf(facts));
    assert.equal(r?.status, 'manual');
    assert.ok(r!.message.includes(`„RUN npm ci” (wiersz ${lineOf(text, 'RUN npm ci')})`), r!.message);
  });

  test('a Node log for a Go Dockerfile: manual, each foreign step in „…” with its report line and the Dockerfile name', () => {
    const lines = plainNodeLog();
    const text = md('# Sprawozdanie', '', '## Budowanie 2', '', ...fence(lines));
    const r = check(text, { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } });
    assert.equal(r?.status, 'manual');
    const logLine = lineOf(text, '#0 building with');
    const steps = [
      [APK_STEP, '[linux/amd64 build1 2/7]'],
      ['WORKDIR /var/node', '[linux/amd64 build1 3/7]'],
      ['COPY package*.json ./', '[linux/amd64 build1 4/7]'],
      ['RUN npm ci --omit=dev', '[linux/amd64 build1 5/7]'],
      ['ADD src ./', '[linux/amd64 build1 6/7]'],
    ].map(([step, label]) => `„${step}” (wiersz ${lineOf(text, label!)})`);
    const flag = `Log budowania (sprawozdanie.md, wiersz ${logLine}) ma 7 kroków, których nie ma w Dockerfile: ${steps.join(', ')} i inne.${SUFFIX}`;
    assert.equal(r?.message, HEAD('1 rozbieżność') + flag);
    assert.deepEqual(titles(r), ['Rozbieżności', 'Porównano']);
    assert.equal(evidenceText(r, 'Rozbieżności'), `- ${flag}`);
    assert.equal(evidenceText(r, 'Porównano'), '- kroki 1 logu budowania z Dockerfile');
  });

  test('two foreign steps: both listed, no " i inne"; the steps the Dockerfile has are not', () => {
    const text = md('# S', '', ...fence([
      '#8 [build 2/5] WORKDIR /src',
      '#8 DONE 0.0s',
      '',
      '#9 [build 3/5] COPY package.json ./',
      '#9 DONE 0.0s',
      '',
      '#10 [build 4/5] RUN go mod download',
      '#10 DONE 3.2s',
      '',
      '#11 [build 5/5] RUN npm run build',
      '#11 DONE 3.2s',
    ]));
    const r = check(text, { dockerfile: { file: 'docker/Dockerfile', text: GO_DOCKERFILE } });
    const flag = `Log budowania (sprawozdanie.md, wiersz ${lineOf(text, '#8 [build 2/5]')}) ma 2 kroki, których nie ma w docker/Dockerfile: ` +
      `„COPY package.json ./” (wiersz ${lineOf(text, '#9 [build')}), „RUN npm run build” (wiersz ${lineOf(text, '#11 [build')}).${SUFFIX}`;
    assert.equal(r?.message, HEAD('1 rozbieżność') + flag);
    assert.doesNotMatch(r!.message, / i inne/);
  });

  test('exactly five foreign steps: all listed, no " i inne"; six: five listed and " i inne"', () => {
    const logOf = (n: number) => md('# S', '', ...fence(Array.from({ length: n }, (_, i) => [`#${i + 10} [${i + 2}/${n + 1}] RUN make krok${i + 1}`, `#${i + 10} DONE 0.1s`, '']).flat()));
    const five = check(logOf(5), { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } });
    assert.match(five!.message, /ma 5 kroków, których nie ma w Dockerfile: „RUN make krok1” \(wiersz 4\), „RUN make krok2” \(wiersz 7\), „RUN make krok3” \(wiersz 10\), „RUN make krok4” \(wiersz 13\), „RUN make krok5” \(wiersz 16\)\. Log może/);
    const six = check(logOf(6), { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } });
    assert.match(six!.message, /ma 6 kroków, których nie ma w Dockerfile: „RUN make krok1” \(wiersz 4\), .*„RUN make krok5” \(wiersz 16\) i inne\. Log może/);
    assert.doesNotMatch(six!.message, /krok6/);
  });

  test('step counts follow Polish plurals: 2, 4, 22 kroki; 5, 12 kroków', () => {
    const logOf = (n: number) => md('# S', '', ...fence(Array.from({ length: n }, (_, i) => [`#${i + 10} [${i + 2}/${n + 1}] RUN make krok${i + 1}`, `#${i + 10} DONE 0.1s`]).flat()));
    const count = (n: number) => /ma (\d+ \S+), których/.exec(check(logOf(n), { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } })!.message)?.[1];
    assert.deepEqual([2, 4, 5, 12, 22].map(count), ['2 kroki', '4 kroki', '5 kroków', '12 kroków', '22 kroki']);
  });

  test('one foreign step: „1 krok, którego nie ma”', () => {
    const text = md('# S', '', ...fence(['#11 [build 5/5] RUN npm run build', '#11 DONE 3.2s']));
    const r = check(text, { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } });
    assert.match(r!.message, /ma 1 krok, którego nie ma w Dockerfile: „RUN npm run build” \(wiersz 4\)\./);
  });

  test('every log with foreign steps is a flag of its own; logs that match are not; all are counted as compared', () => {
    const goLog = ['#7 [build 2/4] WORKDIR /src', '#7 DONE 0.0s', '', '#8 [build 4/4] RUN go mod download', '#8 DONE 2.0s'];
    const nodeLog = ['#9 [build 3/4] RUN npm ci', '#9 DONE 2.0s'];
    const text = md('# S', '', '## Budowanie 1', '', ...fence(nodeLog), '', '## Budowanie 2', '', ...fence(goLog), '', '## Budowanie 3', '', ...fence(nodeLog));
    const r = check(text, { dockerfile: { file: 'Dockerfile', text: GO_DOCKERFILE } });
    assert.equal(r?.status, 'manual');
    assert.match(r!.message, /^Sprawozdanie nie we wszystkim zgadza się z repozytorium \(2 rozbieżności; /);
    const flags = evidenceText(r, 'Rozbieżności')!.split('\n');
    assert.deepEqual(flags.map((f) => /^- Log budowania \(sprawozdanie\.md, wiersz (\d+)\)/.exec(f)?.[1]), [String(lineOf(text, '#9 [build', 1)), String(lineOf(text, '#9 [build', 2))]);
    assert.equal(evidenceText(r, 'Porównano'), '- kroki 3 logów budowania z Dockerfile');
  });

  test('the lab\'s own captured tty log (80 columns) against the Dockerfile it was built from: its cut RUN with an expanded $VERSION matches', () => {
    const log = readFileSync('test/fixtures/buildx-logs/tty-warm-all-cached.log', 'utf8');
    const text = '# Sprawozdanie\n\n```\n' + log + '\n```\n';
    const facts = factsOf(read(text));
    assert.ok(facts.logs[0]!.instructions.some((i) => i.text === 'RUN echo "build 1.0 on $(uname -m)" >' && i.cut));
    const r = reportConsistencyCheck(inputOf(facts, { dockerfile: { file: 'Dockerfile', text: readFileSync('test/fixtures/buildx-logs/capture.Dockerfile', 'utf8') } }));
    assert.equal(r?.status, 'pass', r?.message);
  });
});

describe('report.consistency: the report\'s build command against the repository\'s', () => {
  test('the same command (other line breaks, flag order, a prompt) → pass, naming build.sh and its line', () => {
    assert.deepEqual(REPO_BUILD.source, { file: 'build.sh', line: 3 });
    const r = check(nodeReport(), { repositoryBuild: REPO_BUILD });
    assert.equal(r?.status, 'pass');
    assert.equal(r?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: kroki 1 logu budowania z Dockerfile; polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3)).');
    assert.equal(evidenceText(r, 'Porównano'), '- kroki 1 logu budowania z Dockerfile\n- polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3)');
  });

  test('a command that differs: manual, each difference named (platform, tag, mode=min, --load)', () => {
    const text = md(
      '# Sprawozdanie',
      '',
      'Najpierw zbudowałem obraz lokalnie:',
      '',
      ...fence([
        `docker buildx build --platform linux/amd64 -t ${IMAGE}:v1 --load \\`,
        `  --cache-to type=registry,ref=${IMAGE}:buildcache,mode=min \\`,
        `  --cache-from type=registry,ref=${IMAGE}:buildcache .`,
      ], 'bash'),
    );
    const r = check(text, { repositoryBuild: REPO_BUILD });
    assert.equal(r?.status, 'manual');
    const flag = `Żadne polecenie budowania w sprawozdaniu nie jest poleceniem z repozytorium (build.sh, wiersz 3); na przykład sprawozdanie.md, wiersz ${lineOf(text, 'docker buildx build')}: ` +
      '--platform „linux/amd64” zamiast „linux/amd64,linux/arm64”; ' +
      `-t „${IMAGE}:v1” zamiast „${IMAGE}:multiarch”; ` +
      `--cache-to „type=registry,ref=${IMAGE}:buildcache,mode=min” zamiast „type=registry,ref=${IMAGE}:buildcache,mode=max”; ` +
      'wynik „--load” zamiast „--push”.';
    assert.equal(r?.message, HEAD('1 rozbieżność') + flag);
    assert.deepEqual(titles(r), ['Rozbieżności', 'Porównano']);
    assert.equal(evidenceText(r, 'Porównano'), '- polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3)');
  });

  test('mode=min written out equals no mode (buildx\'s default); another cache ref, -f and --target are differences', () => {
    const repo = scriptBuild(`docker buildx build --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch --push --cache-to type=registry,ref=${IMAGE}:buildcache .\n`);
    const same = md('# S', '', ...fence([`$ docker buildx build --platform linux/arm64,linux/amd64 -t ${IMAGE}:multiarch --push --cache-to type=registry,ref=${IMAGE}:buildcache,mode=min .`]));
    assert.equal(check(same, { repositoryBuild: repo })?.status, 'pass');
    const other = md('# S', '', ...fence([`$ docker buildx build -f Dockerfile.multi --target prod --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch --push --cache-to type=registry,ref=${IMAGE}:cache .`]));
    const r = check(other, { repositoryBuild: repo });
    assert.equal(r?.status, 'manual');
    assert.match(r!.message, new RegExp(`: --cache-to „type=registry,ref=${IMAGE}:cache” zamiast „type=registry,ref=${IMAGE}:buildcache”; -f „Dockerfile\\.multi” zamiast „Dockerfile”; --target „prod” zamiast „brak”\\.$`));
    const from = md('# S', '', ...fence([`$ docker buildx build --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch --push --cache-to type=registry,ref=${IMAGE}:buildcache --cache-from ${IMAGE}:buildcache .`]));
    const f = check(from, { repositoryBuild: repo });
    assert.equal(f?.status, 'manual');
    assert.match(f!.message, new RegExp(`wiersz 4: --cache-from „${IMAGE}:buildcache” zamiast „brak”\\.$`));
  });

  test('the report shows two builds and one is the repository\'s → no flag; neither is → the first is the example', () => {
    const local = [`$ docker buildx build -t pogoda:test --load .`];
    const both = md('# S', '', '## Test lokalny', '', ...fence(local), '', '## Budowanie 1', '', ...fence(REPORT_BUILD_LINES));
    const r = check(both, { repositoryBuild: REPO_BUILD });
    assert.equal(r?.status, 'pass');
    assert.match(r!.message, /porównano: polecenia budowania ze sprawozdania z poleceniem z repozytorium \(build\.sh, wiersz 3\)\)\.$/);

    const second = [`$ docker buildx build --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch --push .`];
    const neither = md('# S', '', ...fence(local), '', ...fence(second));
    const n = check(neither, { repositoryBuild: REPO_BUILD });
    assert.equal(n?.status, 'manual');
    assert.match(n!.message, new RegExp(`na przykład sprawozdanie\\.md, wiersz ${lineOf(neither, 'pogoda:test')}: --platform „brak” zamiast „linux/amd64,linux/arm64”; -t „pogoda:test” zamiast „${IMAGE}:multiarch”;`));
    assert.doesNotMatch(n!.message, new RegExp(`wiersz ${lineOf(neither, ':multiarch --push')}`));
  });

  test('repositoryBuild null (the build command is the report\'s own): commands are not compared', () => {
    const r = check(nodeReport(), { repositoryBuild: null });
    assert.equal(r?.status, 'pass');
    assert.equal(evidenceText(r, 'Porównano'), '- kroki 1 logu budowania z Dockerfile');
    assert.doesNotMatch(r!.message, /polecenia budowania/);
  });

  test('consistencyOf: build.sh\'s command is compared; a command chosen from the report itself is not', () => {
    const report = read(nodeReport());
    const facts = factsOf(report);
    const dockerfile = { file: 'Dockerfile', text: NODE_DOCKERFILE };
    const fromScript = consistencyOf(facts, { commands: parseShellText(BUILD_SH, { file: 'build.sh', style: 'script' }), reportFiles: [REPORT], dockerfile, published: {} });
    assert.equal(evidenceText(fromScript, 'Porównano'), '- kroki 1 logu budowania z Dockerfile\n- polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3)');
    const fromReport = consistencyOf(facts, { commands: report.commands.map((c) => c.parsed), reportFiles: [REPORT], dockerfile, published: {} });
    assert.equal(evidenceText(fromReport, 'Porównano'), '- kroki 1 logu budowania z Dockerfile');
    // A script that differs is flagged through consistencyOf as well.
    const single = parseShellText(BUILD_SH.replace('linux/amd64,linux/arm64', 'linux/amd64'), { file: 'scripts/build.sh', style: 'script' });
    const differs = consistencyOf(facts, { commands: single, reportFiles: [REPORT], dockerfile, published: {} });
    assert.equal(differs?.status, 'manual');
    assert.match(differs!.message, /z repozytorium \(scripts\/build\.sh, wiersz 3\); na przykład sprawozdanie\.md, wiersz \d+: --platform „linux\/amd64,linux\/arm64” zamiast „linux\/amd64”\.$/);
  });

  test('build.sh with variables and the report with their values is the same command', () => {
    const script = scriptBuild([
      '#!/bin/sh',
      `IMAGE=${IMAGE}`,
      'docker buildx build --platform linux/amd64,linux/arm64 -t "$IMAGE:multiarch" --push \\',
      '  --cache-to "type=registry,ref=$IMAGE:buildcache,mode=max" --cache-from "type=registry,ref=$IMAGE:buildcache" .',
    ].join('\n'));
    assert.deepEqual(script.build!.tags, ['$IMAGE:multiarch']);
    const r = check(md('# S', '', ...fence(REPORT_BUILD_LINES)), { repositoryBuild: script });
    assert.equal(r?.status, 'pass', r?.message);
  });
});

describe('report.consistency: digests against what was published', () => {
  test('the imagetools digest and the log\'s manifest list equal the published index; the log\'s cache manifest the published cache → pass', () => {
    const text = nodeReport();
    const facts = factsOf(read(text));
    assert.deepEqual(facts.reportDigests.map((d) => [d.kind, d.digest]), [['image', INDEX], ['cache', CACHE], ['image', INDEX]]);
    const r = reportConsistencyCheck(inputOf(facts, { repositoryBuild: REPO_BUILD, published: { image: INDEX, cache: CACHE } }));
    assert.equal(r?.status, 'pass');
    assert.equal(r?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: kroki 1 logu budowania z Dockerfile; polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3); digest obrazu ze sprawozdania z opublikowanym; digest obrazu cache ze sprawozdania z opublikowanym).');
    assert.deepEqual(r?.evidence, [{
      kind: 'text',
      title: 'Porównano',
      text: [
        '- kroki 1 logu budowania z Dockerfile',
        '- polecenia budowania ze sprawozdania z poleceniem z repozytorium (build.sh, wiersz 3)',
        '- digest obrazu ze sprawozdania z opublikowanym',
        '- digest obrazu cache ze sprawozdania z opublikowanym',
      ].join('\n'),
    }]);
  });

  test('imagetools alone (`Digest: sha256:…`): equal → pass; different → manual, „Obraz mógł zostać zbudowany ponownie”', () => {
    const text = md('# S', '', 'Manifest obrazu:', '', ...fence(imagetools(INDEX)));
    const same = check(text, { published: { image: INDEX } });
    assert.equal(same?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: digest obrazu ze sprawozdania z opublikowanym).');
    const r = check(text, { published: { image: INDEX_REBUILT } });
    assert.equal(r?.status, 'manual');
    const flag = `Digest obrazu w sprawozdaniu (sprawozdanie.md, wiersz ${lineOf(text, 'Name:      ')}: ${INDEX}) nie zgadza się z opublikowanym (${INDEX_REBUILT}). Obraz mógł zostać zbudowany ponownie po napisaniu sprawozdania.`;
    assert.equal(r?.message, HEAD('1 rozbieżność') + flag);
    assert.equal(evidenceText(r, 'Rozbieżności'), `- ${flag}`);
    assert.equal(evidenceText(r, 'Porównano'), '- digest obrazu ze sprawozdania z opublikowanym');
  });

  test('one digest of several equal to the published one is enough (the first build\'s log, then a rebuild shown by imagetools)', () => {
    const text = nodeReport({ index: INDEX_REBUILT, inspected: INDEX });
    const facts = factsOf(read(text));
    assert.deepEqual(facts.reportDigests.filter((d) => d.kind === 'image').map((d) => d.digest), [INDEX_REBUILT, INDEX]);
    assert.equal(reportConsistencyCheck(inputOf(facts, { published: { image: INDEX } }))?.status, 'pass');
    const r = reportConsistencyCheck(inputOf(facts, { published: { image: CACHE_OLD } }));
    assert.equal(r?.status, 'manual');
    assert.ok(r!.message.includes(`Digest obrazu w sprawozdaniu (sprawozdanie.md, wiersz ${lineOf(text, '#0 building with')}: ${INDEX_REBUILT}; sprawozdanie.md, wiersz ${lineOf(text, `Name:      ${IMAGE}:multiarch`)}: ${INDEX}) nie zgadza się z opublikowanym (${CACHE_OLD}).`), r!.message);
  });

  test('a `-q` build prints only the digest: compared with the published image', () => {
    const text = md('# S', '', ...fence([`$ docker buildx build -q --platform linux/amd64,linux/arm64 -t ${IMAGE}:multiarch --push .`, INDEX]));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.reportDigests, [{ kind: 'image', file: REPORT, line: lineOf(text, INDEX), digest: INDEX }]);
    assert.equal(reportConsistencyCheck(inputOf(facts, { published: { image: INDEX } }))?.status, 'pass');
    assert.equal(reportConsistencyCheck(inputOf(facts, { published: { image: INDEX_REBUILT } }))?.status, 'manual');
  });

  test('cache: `#N writing cache image manifest sha256:… done` under `exporting cache to registry` is compared with published.cache', () => {
    const exportLines = (digest: string) => [
      '#22 exporting cache to registry',
      '#22 preparing build cache for export',
      `#22 writing layer ${LAYER} 0.1s done`,
      `#22 writing cache image manifest ${digest} 0.0s done`,
      '#22 DONE 0.3s',
    ];
    const text = md('# S', '', 'Eksport cache:', '', ...fence(exportLines(CACHE)));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.reportDigests, [{ kind: 'cache', file: REPORT, line: lineOf(text, '#22 writing cache image manifest'), digest: CACHE }]);
    const same = reportConsistencyCheck(inputOf(facts, { published: { image: INDEX, cache: CACHE } }));
    assert.equal(same?.message, 'Sprawozdanie zgadza się z repozytorium (porównano: digest obrazu cache ze sprawozdania z opublikowanym).');

    const old = md('# S', '', ...fence(exportLines(CACHE_OLD)));
    const r = check(old, { published: { cache: CACHE } });
    assert.equal(r?.status, 'manual');
    assert.equal(r?.message, HEAD('1 rozbieżność') + `Digest obrazu cache w sprawozdaniu (sprawozdanie.md, wiersz ${lineOf(old, '#22 writing cache image manifest')}: ${CACHE_OLD}) nie zgadza się z opublikowanym (${CACHE}). Obraz mógł zostać zbudowany ponownie po napisaniu sprawozdania.`);
    // The old wording (a cache index, `image-manifest=false`) is read the same way.
    const index = md('# S', '', ...fence(exportLines(CACHE).map((l) => l.replace('writing cache image manifest', 'writing cache manifest'))));
    assert.equal(check(index, { published: { cache: CACHE } })?.status, 'pass');
  });

  test('the parser needs the export vertex: a `writing cache image manifest` line pasted without `exporting cache to registry` is no cache digest', () => {
    const text = md('# S', '', ...fence([`#22 writing cache image manifest ${CACHE_OLD} 0.0s done`, '#22 DONE 0.3s']));
    const facts = factsOf(read(text));
    assert.deepEqual(facts.reportDigests, []);
    assert.equal(reportConsistencyCheck(inputOf(facts, { published: { cache: CACHE } })), undefined);
  });

  test('a tty log: the cache digest of `=> => writing cache image manifest` is compared; a digest the terminal cut is not', () => {
    const lines = (digestLine: string) => [
      '[+] Building 3.2s (21/21) FINISHED                      docker-container:lab7builder',
      tty('exporting cache to registry', '0.4s'),
      tty('=> preparing build cache for export', '0.4s'),
      digestLine,
    ];
    const whole = md('# S', '', ...fence(lines(` => => writing cache image manifest ${CACHE_OLD}  0.0s`)));
    const r = check(whole, { published: { cache: CACHE } });
    assert.equal(r?.status, 'manual');
    // Cited at the line that prints it (the fence opens on line 3).
    assert.match(r!.message, new RegExp(`Digest obrazu cache w sprawozdaniu \\(sprawozdanie\\.md, wiersz 7: ${CACHE_OLD}\\)`));
    const cut = md('# S', '', ...fence(lines(tty(`=> writing cache image manifest ${CACHE_OLD}`, '0.0s'))));
    assert.equal(check(cut, { published: { cache: CACHE } }), undefined);
  });
});

describe('report.consistency: counts in Polish', () => {
  const goDockerfile = { file: 'Dockerfile', text: GO_DOCKERFILE };
  /** A report with `logs` plain logs of foreign steps, and optionally an imagetools listing and the build command. */
  function report(logs: number, inspected?: string, command?: readonly string[]): string {
    const parts: string[] = ['# Sprawozdanie'];
    if (command) parts.push('', ...fence(command, 'bash'));
    for (let i = 0; i < logs; i++) parts.push('', `## Budowanie ${i + 1}`, '', ...fence([`#${9 + i} [build 3/4] RUN npm ci`, `#${9 + i} DONE 2.0s`]));
    if (inspected) parts.push('', '## Manifest', '', ...fence(imagetools(inspected)));
    return md(...parts);
  }

  test('1 rozbieżność, 2 rozbieżności, 5 rozbieżności', () => {
    assert.match(check(report(1), { dockerfile: goDockerfile })!.message, /\(1 rozbieżność; /);
    assert.match(check(report(1, INDEX_REBUILT), { dockerfile: goDockerfile, published: { image: INDEX } })!.message, /\(2 rozbieżności; /);
    // Three logs, the command and the image digest.
    const five = check(report(3, INDEX_REBUILT, REPORT_BUILD_LINES), {
      dockerfile: goDockerfile,
      published: { image: INDEX },
      repositoryBuild: scriptBuild(BUILD_SH.replace('--push', '--load')),
    });
    assert.equal(five?.status, 'manual');
    assert.match(five!.message, /^Sprawozdanie nie we wszystkim zgadza się z repozytorium \(5 rozbieżności; to nie odbiera punktów, ale warto to sprawdzić\)\. /);
    assert.deepEqual(evidenceText(five, 'Rozbieżności')!.split('\n').map((f) => f.slice(0, 20)), [
      '- Log budowania (spr', '- Log budowania (spr', '- Log budowania (spr', '- Żadne polecenie bu', '- Digest obrazu w sp',
    ]);
  });

  test('1 logu, 2 logów, 5 logów', () => {
    const compared = (n: number) => evidenceText(check(report(n), { dockerfile: goDockerfile }), 'Porównano');
    assert.deepEqual([1, 2, 5].map(compared), ['- kroki 1 logu budowania z Dockerfile', '- kroki 2 logów budowania z Dockerfile', '- kroki 5 logów budowania z Dockerfile']);
  });
});

describe('report.consistency: blanks and empty variables', () => {
  const input = (dockerfile: string, steps: string[]): ConsistencyInput => ({
    dockerfile: { file: 'Dockerfile', text: dockerfile },
    logs: [{ file: 'sprawozdanie.md', line: 10, instructions: steps.map((text, i) => ({ line: 11 + i, text, cut: false })) }],
    reportBuilds: [], repositoryBuild: null, published: {}, reportDigests: [],
  });
  test('an unindented continuation BuildKit prints without a blank, and a variable that expanded to nothing, are the Dockerfile\'s steps', () => {
    const dockerfile = 'FROM alpine\nARG VERSION\nRUN apk update &&\\\napk add curl\nRUN echo $VERSION > v.txt\n';
    assert.equal(reportConsistencyCheck(input(dockerfile, ['RUN apk update &&apk add curl', 'RUN echo  > v.txt']))?.status, 'pass');
    const other = reportConsistencyCheck(input(dockerfile, ['RUN apk update && apk add git']));
    assert.equal(other?.status, 'manual', 'a different package is another step');
  });
});

describe('report.consistency: hostile Dockerfiles', () => {
  test('a line of thousands of variables against a long step that almost matches is judged in linear time', () => {
    const dockerfileOf = (n: number) => `FROM alpine\nRUN ${Array.from({ length: n }, (_, i) => `\${V${i}}x`).join('')}y\n`;
    const stepOf = (n: number) => `RUN ${'x'.repeat(n * 2)}z`;
    const run = (n: number) => {
      const r = reportConsistencyCheck({
        dockerfile: { file: 'Dockerfile', text: dockerfileOf(n) },
        logs: [{ file: 'sprawozdanie.md', line: 1, instructions: [{ line: 2, text: stepOf(n), cut: false }] }],
        reportBuilds: [], repositoryBuild: null, published: {}, reportDigests: [],
      });
      assert.equal(r?.status, 'manual', 'the step ends in z, the instruction in y');
    };
    assertLinear(run, 2_000);
  });
});
