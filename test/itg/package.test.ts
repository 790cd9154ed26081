// The package as a student gets it: `npm pack` (prepack builds dist/), the tarball installed into an
// empty folder offline, and the installed `grader` run with no tsx: --help, inspect against the
// stack's base registry, and check --quick on a copy of submissions/example.
import assert from 'node:assert/strict';
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { stackSkip } from '../helpers/stack.ts';
import { describeRun, startCli, type CliRun } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = '127.0.0.1:5055/s99656/pogoda:multiarch';
const CACHE = '127.0.0.1:5055/s99656/pogoda:buildcache';
const skip = await stackSkip();


function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  return startCli(command, args, { ...options, killAfterMs: 180_000 }).done;
}


// Under `npm test` the environment carries this repo's npm settings (npm_config_local_prefix=this
// repo): the child npm must treat the temp folder as its project. Only the cache is kept.
const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || k.toLowerCase() === 'npm_config_cache'),
);

interface LockEntry {
  version?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Manifest {
  version: string;
  bin: Record<string, string>;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

/**
 * A lock for a project that depends on the tarball alone: the tarball's runtime dependency tree,
 * walked from its `dependencies` through this repo's package-lock.json (what an online install
 * resolves). npm 11 resolves a tarball's dependencies with full packuments, which `npm ci` never
 * caches; with a lock and registry tarball URLs npm takes each package from its cache by integrity.
 */
function lockForTarball(spec: string, manifest: Manifest, repoLock: { packages: Record<string, LockEntry> }, registry: string) {
  const packages: Record<string, object> = {
    '': { dependencies: { 'buildx-grader': spec } },
    'node_modules/buildx-grader': { version: manifest.version, resolved: spec, dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines },
  };
  const parent = (loc: string) => loc.slice(0, Math.max(0, loc.lastIndexOf('/node_modules/')));
  const find = (from: string, name: string): string | undefined => {
    for (let loc = from; ; loc = parent(loc)) {
      const candidate = `${loc ? `${loc}/` : ''}node_modules/${name}`;
      if (repoLock.packages[candidate]) return candidate;
      if (!loc) return undefined;
    }
  };
  const queue: [from: string, name: string, optional: boolean][] = Object.keys(manifest.dependencies).map((n) => ['', n, false]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [from, name, optional] = next;
    const loc = find(from, name);
    if (!loc) {
      if (optional) continue;
      throw new Error(`${name} (needed by ${from || 'buildx-grader'}) is not in package-lock.json`);
    }
    if (packages[loc]) continue;
    const entry = repoLock.packages[loc]!;
    const base = loc.slice(loc.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[loc] = entry.resolved ? entry : { ...entry, resolved: `${registry.replace(/\/?$/, '/')}${base}/-/${base.split('/').pop()}-${entry.version}.tgz` };
    for (const n of Object.keys(entry.dependencies ?? {})) queue.push([loc, n, false]);
    for (const n of Object.keys(entry.optionalDependencies ?? {})) queue.push([loc, n, true]);
    for (const n of Object.keys(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[n]?.optional) queue.push([loc, n, false]);
  }
  return { name: 'grader-install-test', lockfileVersion: 3, requires: true, packages };
}

describe('the packed and installed grader', { timeout: 600_000 }, () => {
  let work: string;
  let app: string;
  let packedFiles: string[];
  let graderEnv: NodeJS.ProcessEnv;
  const grader = (args: string[], cwd = app) => run(path.join(app, 'node_modules/.bin/grader'), args, { cwd, env: graderEnv });

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bg-package-test-'));
    const packDir = path.join(work, 'pack');
    app = path.join(work, 'app');
    await mkdir(packDir);
    await mkdir(app);
    graderEnv = { ...npmEnv, DOCKER_CONFIG: path.join(work, 'docker-config'), GRADER_DEBUG: '' };

    const pack = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, env: npmEnv });
    console.log(`npm pack (with the build): ${pack.ms} ms`);
    assert.equal(pack.code, 0, describeRun(pack));
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed!.files.map((f) => f.path);

    const spec = `file:../pack/${packed!.filename}`;
    const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
    const repoLock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'grader-install-test', private: true, dependencies: { 'buildx-grader': spec } }));
    // The registry npm is configured with (its tarball URLs are cache keys; --offline never connects).
    const registry = (await run('npm', ['config', 'get', 'registry'], { cwd: app, env: npmEnv })).stdout.trim();
    await writeFile(path.join(app, 'package-lock.json'), JSON.stringify(lockForTarball(spec, manifest, repoLock, registry)));
    const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', `../pack/${packed!.filename}`], {
      cwd: app,
      env: { ...npmEnv, PUPPETEER_SKIP_DOWNLOAD: 'true' },
    });
    console.log(`npm install --offline (tarball): ${install.ms} ms`);
    assert.equal(install.code, 0, describeRun(install));
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the tarball holds the compiled CLI, its schemas and the rubric, no TypeScript sources', () => {
    for (const f of ['bin/grader.js', 'dist/cli/main.js', 'dist/rubric/rubric.schema.json', 'dist/submission/submission.schema.json', 'rubrics/lab7.json', 'package.json', 'README.md']) {
      assert.ok(packedFiles.includes(f), `${f} is not in the tarball: ${packedFiles.join(', ')}`);
    }
    assert.deepEqual(packedFiles.filter((f) => f.endsWith('.ts') || /^(grader|test|scripts|bench|submissions)\//.test(f)), []);
  });

  test('no tsx at run time: not installed, not imported by the bin, not a dependency', async () => {
    await assert.rejects(access(path.join(app, 'node_modules/tsx')), 'tsx is installed');
    const bin = await readFile(path.join(app, 'node_modules/buildx-grader/bin/grader.js'), 'utf8');
    assert.doesNotMatch(bin, /tsx/);
    const installed = JSON.parse(await readFile(path.join(app, 'node_modules/buildx-grader/package.json'), 'utf8')) as Manifest;
    assert.equal(installed.dependencies.tsx, undefined);
    assert.ok(installed.dependencies.puppeteer, 'puppeteer must stay a runtime dependency (PDF reports)');
  });

  test('grader --help and --version: exit 0, Polish help, the package version', async () => {
    const help = await grader(['--help']);
    console.log(`grader --help: ${help.ms} ms`);
    assert.equal(help.code, 0, describeRun(help));
    assert.match(help.stdout, /Użycie: grader <polecenie>/);
    assert.match(help.stdout, /Polecenia:/);
    assert.equal(help.stderr, '');
    const version = await grader(['--version']);
    const { version: expected } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
    assert.equal(version.stdout.trim(), expected, describeRun(version));
  });

  test('grader inspect against the base registry: both checks pass', { skip }, async () => {
    const r = await grader(['inspect', IMAGE, '--cache-ref', CACHE]);
    console.log(`grader inspect: ${r.ms} ms`);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /✔ image\.multiplatform: zaliczone/);
    assert.match(r.stdout, /✔ cache\.published: zaliczone/);
  });

  test('grader check --quick in a copy of submissions/example: exit 0, checklist, Markdown and PDF report', { skip }, async () => {
    const dir = path.join(work, 'student');
    await cp(path.join(ROOT, 'submissions/example'), dir, { recursive: true });
    const r = await grader(['check', '--quick'], dir);
    console.log(`grader check --quick: ${r.ms} ms`);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^Sprawdzenie pracy: Józef Żółkiewski \(s99656\) — tryb szybki/m);
    // The compiled CLI reads the student's commands from the report: the builder check needs no build.
    assert.match(r.stdout, /^✔ Builder ze sterownikiem docker-container  1\/1 pkt$/m);
    assert.match(r.stdout, /^Raport: \.\.\/student-grader\/raport\.md, raport\.pdf$/m);
    const pdf = await readFile(path.join(work, 'student-grader/raport.pdf'));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  });
});
