/** Property tests of the reproduced build's plan and argv: no student text reaches buildx outside a strict grammar. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { parseShellText, type BuildxBuild, type CsvEntry, type ParsedCommand } from '../../grader/commands/index.ts';
import { planStudentBuild, studentBuildArgv, type MappedRef, type StudentBuildPlan } from '../../grader/grade/student-build.ts';
import { holds, label, type Budget } from './fuzz-support.ts';

const ID = 's12345';
const O = { builder: 'grader-b', host: 'registry7:5000', dockerfile: '/grader/Dockerfile', contextDir: '/grader/ctx', metadataPath: '/grader/meta.json', progress: 'rawjson' };
const FIXED = new Set(['buildx', 'build', '--builder', O.builder, `--progress=${O.progress}`, '-f', O.dockerfile, '--push', '--output', 'type=cacheonly', '--metadata-file', O.metadataPath, O.contextDir]);
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REF = `registry7:5000/${ID}(?:/${COMPONENT})+:\\w[\\w.-]{0,127}`;
const VALUE = {
  '--platform': /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?(?:,[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?)*$/,
  '--target': /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
  // Build args are values the Dockerfile reads (argv, no shell): only the name and control characters are checked.
  '--build-arg': /^[A-Za-z_][A-Za-z0-9_]{0,63}=[^\u0000-\u0008\u000a-\u001f\u007f]{0,1024}$/,
  '-t': new RegExp(`^${REF}$`),
  '--cache-to': new RegExp(`^(?:type=inline|type=registry,ref=${REF}(?:,mode=(?:min|max))?(?:,(?:image-manifest|oci-mediatypes|compression|compression-level|force-compression|ignore-error)=[A-Za-z0-9_.-]{1,32})*)$`),
  '--cache-from': new RegExp(`^type=registry,ref=${REF}$`),
} as Record<string, RegExp>;

/** Every element is a fixed grader string or the value of a modelled flag in its grammar. */
function checkArgv(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const grammar = VALUE[a];
    if (grammar) {
      const v = argv[++i]!;
      assert.match(v, grammar, `${a} ${JSON.stringify(v)}`);
      if (a !== '--build-arg') assert.ok(!/\.\.|\$\(|`|[\n\r]/.test(v), `${a} ${JSON.stringify(v)}`);
      continue;
    }
    assert.ok(FIXED.has(a), `not a grader string: ${JSON.stringify(a)}`);
  }
}

const HOSTILE = ['/etc/passwd', '../../x', '..', '$(id)', '`id`', 'a\nb', '\r', '--secret', 'id=x,src=/etc/shadow', '--network=host', '--ssh', 'default', '--allow', 'reg.io/app:1', 'app', 'app:latest',
  '$REG/app:$TAG', '${REG}/app', 'localhost:5000/a/b:c', 'a//b', 'A/B', 'app@sha256:' + 'a'.repeat(64), 's12345/app', 'var-x', '$X', 'app/$X', 'app/var-x', 'linux/amd64', 'max', 'min', ''];
const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.constantFrom(...HOSTILE, '/', ':', '.', '-', '_'), { maxLength: 5 }).map((p) => p.join('')));
const attrs = fc.dictionary(fc.constantFrom('ref', 'mode', 'image-manifest', 'compression', 'dest', 'push', 'src', hostile as never), hostile, { maxKeys: 4 }) as fc.Arbitrary<Record<string, string>>;
const csv: fc.Arbitrary<CsvEntry> = fc.record({ text: hostile, type: fc.option(fc.constantFrom('registry', 'inline', 'local', 'gha', 'docker', 'image', 'tar'), { nil: undefined }), attrs, shorthand: fc.boolean() })
  .map((e) => (e.type === undefined ? { text: e.text, attrs: e.attrs, shorthand: e.shorthand } : e));
const build: fc.Arbitrary<BuildxBuild> = fc.record({
  tags: fc.array(hostile, { maxLength: 4 }),
  platforms: fc.array(fc.oneof(fc.constantFrom('linux/amd64', 'linux/arm64', 'local'), hostile), { maxLength: 3 }),
  file: fc.option(hostile, { nil: undefined }),
  target: fc.option(hostile, { nil: undefined }),
  buildArgs: fc.array(fc.record({ name: hostile, value: fc.option(hostile, { nil: undefined }) }), { maxLength: 3 }),
  cacheTo: fc.array(csv, { maxLength: 3 }),
  cacheFrom: fc.array(csv, { maxLength: 3 }),
  outputs: fc.array(csv.chain((e) => fc.constantFrom('output', 'push', 'load').map((via) => ({ ...e, via }))), { maxLength: 2 }),
  pushes: fc.boolean(),
  context: fc.record({ text: hostile, kind: fc.constantFrom('path', 'stdin', 'git', 'url') }),
  dropped: fc.array(fc.record({ flag: hostile, text: hostile }), { maxLength: 2 }),
  builder: fc.option(hostile, { nil: undefined }),
}).map((b) => ({ invokedAs: 'docker buildx build' as const, noCache: false, pull: false, quiet: false, ...b }) as BuildxBuild);
const command = (b: BuildxBuild): ParsedCommand => ({ source: { file: 'build.sh', line: 1 }, text: 'x', argv: [], env: {}, sudo: false, kind: 'buildx-build', build: b, problems: [] });

function refs(plan: StudentBuildPlan): MappedRef[] {
  return [...plan.tags, ...plan.cacheTo.flatMap((c) => (c.ref ? [c.ref] : [])), ...plan.cacheFrom.map((c) => c.ref)];
}

function check(commands: ParsedCommand[]): void {
  const r = planStudentBuild(commands, ID);
  if (!r.ok) return;
  checkArgv(studentBuildArgv(r.plan, O));
  const mapped = refs(r.plan);
  for (const x of mapped) {
    for (const y of mapped) {
      if (x.student === y.student) assert.deepEqual([x.repository, x.tag], [y.repository, y.tag]);
    }
  }
}

describe('planStudentBuild + studentBuildArgv', () => {
  const b1: Budget = { seed: 4301, runs: 1500, ms: 3000 };
  it(`any parsed build command yields an argv of grader strings and whitelisted values (${label(b1)})`, (t) => {
    holds(t, fc.property(fc.array(build, { minLength: 1, maxLength: 2 }), (builds) => check(builds.map(command))), b1);
  });

  const b2: Budget = { seed: 4302, runs: 1000, ms: 2000 };
  it(`so does any command line the parser reads (${label(b2)})`, (t) => {
    const word = fc.oneof(hostile, fc.constantFrom('-t', '--platform', '--cache-to', '--cache-from', '--build-arg', '--target', '-f', '--push', '--load', '-o', '.', 'type=registry,ref=r/x:c,mode=max'));
    holds(t, fc.property(fc.array(word, { maxLength: 12 }), (words) => {
      const line = ['docker', 'buildx', 'build', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
      check(parseShellText(line, { file: 'build.sh', style: 'script' }));
    }), b2);
  });

  // Both names become s12345/app/var-x in registry7.
  it('different student refs map to different registry7 refs', () => {
    const b = { invokedAs: 'docker buildx build', tags: ['app/$X', 'app/var-x'], platforms: [], buildArgs: [], cacheTo: [], cacheFrom: [], outputs: [], pushes: true, noCache: false, pull: false, quiet: false, dropped: [], context: { text: '.', kind: 'path' } } as BuildxBuild;
    const r = planStudentBuild([command(b)], ID);
    assert.ok(r.ok);
    assert.notDeepEqual(r.plan.tags[0], { ...r.plan.tags[1], student: r.plan.tags[0]!.student });
  });
});
