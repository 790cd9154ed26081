/**
 * Grader overhead: `grader grade submissions/example --isolation prune --rubric bench/rubric-base.json
 * --format none` vs
 * bench/plain-build.sh (the same two builds, flags, prune isolation, registry:2 and
 * imagetools check as a plain script). Runs alternate grader/script so drifting load on
 * the machine hits both alike; each run is timed from the moment it holds the shared
 * Docker lock (flock /tmp/bg-docker.lock).
 *
 *   node --import tsx bench/grader-overhead.ts [--runs 5] [--submission submissions/example]
 *
 * Target: median grader wall time <= 1.15 x median script wall time.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ROOT, benchTempDir, hasGraderCommand, intFlag, isMain, median, printFigures, runChild, runLocked, seconds, skipped, tsxArgs, type Figure } from './common.ts';

const TARGET_RATIO = 1.15;
/** lab7 without the bonus check: gradeSubmission then runs no deletion test. */
const BASE_RUBRIC = join(ROOT, 'bench/rubric-base.json');
const FIGURE = 'grader overhead (grade vs plain script)';

export interface OverheadOptions {
  runs?: number;
  submission?: string;
}

interface GraderRun {
  wallMs: number;
  exitCode: number | null;
  /** builds[].durationMs from results.json. */
  buildMs: number[];
  /** Any numeric phase timings the grader records (results.json `timings`/`phases`, if present). */
  phases: Record<string, number>;
  /** Time between the grader's progress lines on stderr (`[s99656] uruchamiam registry7`). */
  progress: Record<string, number>;
}

interface ScriptRun {
  wallMs: number;
  phases: Record<string, number>;
}

// The grader's Polish progress messages → phase names for the notes.
const PROGRESS_PHASES: Array<[RegExp, string]> = [
  [/sprawdzam opublikowany/, 'inspect-published'],
  [/uruchamiam registry7|używam rejestru/, 'registry7-start'],
  [/budowanie 1\/2/, 'prune+build-1'],
  [/budowanie 2\/2/, 'prune+build-2'],
  [/zadanie dodatkowe/, 'bonus-delete-test'],
  [/sprzątam/, 'cleanup'],
  [/piszę raporty/, 'reports+exit'],
];

/**
 * Splits the grader's wall time at its progress lines: each phase runs from its message to
 * the next one; before the first message is start-up (node, tsx, submission, rubric).
 */
function progressPhases(lines: Array<{ ms: number; text: string }>, wallMs: number): Record<string, number> {
  const marks: Array<{ ms: number; name: string }> = [{ ms: 0, name: 'start-up' }];
  for (const line of lines) {
    const m = /^\[[^\]]+\] (.*)$/.exec(line.text);
    if (!m) continue;
    const known = PROGRESS_PHASES.find(([re]) => re.test(m[1]!));
    if (known) marks.push({ ms: line.ms, name: known[1] });
  }
  const phases: Record<string, number> = {};
  marks.forEach((mark, i) => {
    const end = marks[i + 1]?.ms ?? wallMs;
    phases[mark.name] = (phases[mark.name] ?? 0) + (end - mark.ms);
  });
  return phases;
}

/** `phase <name> <ms>` lines of plain-build.sh. */
function scriptPhases(stderr: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const m of stderr.matchAll(/^phase (\S+) (\d+)$/gm)) phases[m[1]!] = Number(m[2]);
  return phases;
}

/** Numeric leaves of an object, as dot paths (`timings.builds.1` → 1234). */
function numericLeaves(value: unknown, prefix: string, out: Record<string, number>): void {
  if (typeof value === 'number') out[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) numericLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

async function readGraderTimings(outDir: string): Promise<Pick<GraderRun, 'buildMs' | 'phases'>> {
  try {
    const data = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as Record<string, unknown>;
    const builds = Array.isArray(data.builds) ? (data.builds as Array<Record<string, unknown>>) : [];
    const phases: Record<string, number> = {};
    for (const key of ['timings', 'phases', 'durations']) if (key in data) numericLeaves(data[key], key, phases);
    return { buildMs: builds.map((b) => (typeof b.durationMs === 'number' ? b.durationMs : Number.NaN)), phases };
  } catch {
    return { buildMs: [], phases: {} };
  }
}

async function runGrader(submission: string, outDir: string): Promise<GraderRun> {
  // The same work as the script: the base rubric (no bonus deletion test, which the script has no
  // counterpart of) and no reports; results.json is still written.
  const args = tsxArgs(join(ROOT, 'grader/cli/main.ts'), [
    'grade', submission, '--out', outDir, '--isolation', 'prune', '--rubric', BASE_RUBRIC, '--format', 'none',
  ]);
  const run = await runLocked(process.execPath, args);
  // 0 = all checks passed, 1 = a check failed: both are a complete grading run.
  if (run.exitCode !== 0 && run.exitCode !== 1) {
    throw new Error(`grader grade exited ${run.exitCode}: ${run.stderr.slice(-1500)}`);
  }
  return {
    wallMs: run.lockedMs,
    exitCode: run.exitCode,
    progress: progressPhases(run.stderrLines, run.lockedMs),
    ...(await readGraderTimings(outDir)),
  };
}

async function runScript(submission: string): Promise<ScriptRun> {
  const run = await runLocked('bash', [join(ROOT, 'bench/plain-build.sh'), submission], { env: { ...process.env, BENCH_NO_LOCK: '1' } });
  if (run.exitCode !== 0) throw new Error(`plain-build.sh exited ${run.exitCode}: ${run.stderr.slice(-1500)}`);
  return { wallMs: run.lockedMs, phases: scriptPhases(run.stderr) };
}

function medianOf(runs: Array<Record<string, number>>): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]).filter((v): v is number => v !== undefined))]));
}

export async function benchGraderOverhead(opts: OverheadOptions = {}): Promise<Figure[]> {
  const target = `<= ${TARGET_RATIO}x script (median)`;
  if (!(await hasGraderCommand('grade'))) return [skipped(FIGURE, target, 'not available yet (`grader grade`)')];
  const runs = opts.runs ?? 5;
  const submission = resolve(ROOT, opts.submission ?? 'submissions/example');
  const work = await benchTempDir('bench-grader-overhead-');
  const graderRuns: GraderRun[] = [];
  const scriptRuns: ScriptRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // Alternate the order so slow drift in machine load does not favour one side.
      const graderFirst = i % 2 === 0;
      if (graderFirst) graderRuns.push(await runGrader(submission, join(work, `grade-${i}`)));
      scriptRuns.push(await runScript(submission));
      if (!graderFirst) graderRuns.push(await runGrader(submission, join(work, `grade-${i}`)));
      process.stderr.write(`grader-overhead: run ${i + 1}/${runs}: grader ${seconds(graderRuns.at(-1)!.wallMs)}, script ${seconds(scriptRuns.at(-1)!.wallMs)}\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  // Node + tsx + the CLI's own start-up, measured alone.
  const startup = median(await Promise.all([0, 1, 2].map(async () => (await runChild(process.execPath, tsxArgs(join(ROOT, 'grader/cli/main.ts'), ['--version']))).ms)));

  const grader = median(graderRuns.map((r) => r.wallMs));
  const script = median(scriptRuns.map((r) => r.wallMs));
  const ratio = grader / script;
  const sp = medianOf(scriptRuns.map((r) => r.phases));
  const scriptBuilds = (sp['build-1'] ?? 0) + (sp['build-2'] ?? 0);
  const graderBuilds = median(graderRuns.map((r) => r.buildMs.reduce((a, b) => a + b, 0)));
  const notes = [
    `median of ${runs}: grader ${seconds(grader)} (exit codes ${graderRuns.map((r) => r.exitCode).join(',')}), script ${seconds(script)}; difference ${seconds(grader - script)}`,
    `script phases (median ms): ${Object.entries(sp).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`,
    `the two builds: grader ${seconds(graderBuilds)} (results.json builds[].durationMs), script ${seconds(scriptBuilds)}; ` +
      `everything else: grader ${seconds(grader - graderBuilds)}, script ${seconds(script - scriptBuilds)}`,
    `grader phases between its progress lines (median ms): ${Object.entries(medianOf(graderRuns.map((r) => r.progress))).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`,
    `node + tsx + CLI start-up alone (\`grader --version\`): ${startup.toFixed(0)} ms`,
  ];
  const gp = medianOf(graderRuns.map((r) => r.phases));
  if (Object.keys(gp).length > 0) {
    notes.push(`grader phase timings from results.json (median): ${Object.entries(gp).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  } else {
    notes.push('results.json records only the build durations; the other grader phases above come from its progress lines');
  }
  return [
    {
      figure: FIGURE,
      measured: `${ratio.toFixed(2)}x (${seconds(grader)} vs ${seconds(script)})`,
      target,
      pass: ratio <= TARGET_RATIO,
      notes,
    },
  ];
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--submission');
  printFigures(await benchGraderOverhead({ runs: intFlag(argv, 'runs', 5), ...(at >= 0 && argv[at + 1] ? { submission: argv[at + 1]! } : {}) }));
}
