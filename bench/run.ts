/**
 * `npm run bench`: runs the four benchmarks one after another, prints one table
 * (figure | measured | target | pass/fail) with notes, and writes bench/results.md.
 *
 *   npm run bench                         full run (200 MB log, 50 PDFs, median of 5, 8 submissions)
 *   npm run bench -- --runs 2             fewer grader/script runs
 *   npm run bench -- --only log,report    a subset: log, report, overhead, batch
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { benchBatchScaling } from './batch-scaling.ts';
import { ROOT, formatTable, intFlag, lockWait, runChild, seconds, type Figure } from './common.ts';
import { benchGraderOverhead } from './grader-overhead.ts';
import { benchLogParse } from './log-parse.ts';
import { benchReportRender } from './report-render.ts';

interface Bench {
  key: string;
  title: string;
  run: () => Promise<Figure[]>;
}

const argv = process.argv.slice(2);
const onlyAt = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
const only = onlyAt < 0 ? null : new Set((argv[onlyAt]!.includes('=') ? argv[onlyAt]!.split('=')[1]! : (argv[onlyAt + 1] ?? '')).split(','));

const benches: Bench[] = [
  { key: 'log', title: 'log parse', run: () => benchLogParse({ sizeMb: intFlag(argv, 'size-mb', 200) }) },
  { key: 'report', title: 'report render', run: () => benchReportRender({ reports: intFlag(argv, 'reports', 50) }) },
  { key: 'overhead', title: 'grader overhead', run: () => benchGraderOverhead({ runs: intFlag(argv, 'runs', 5) }) },
  { key: 'batch', title: 'batch scaling', run: () => benchBatchScaling({ submissions: intFlag(argv, 'submissions', 8) }) },
];

async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    const r = await runChild(command, args);
    return r.exitCode === 0 ? r.stdout.trim().split('\n')[0] ?? '?' : '?';
  } catch {
    return 'missing';
  }
}

const started = performance.now();
const loadBefore = loadavg()[0]!;
const figures: Figure[] = [];
const durations: string[] = [];
for (const bench of benches) {
  if (only && !only.has(bench.key)) continue;
  process.stderr.write(`== ${bench.title}\n`);
  const t = performance.now();
  try {
    figures.push(...(await bench.run()));
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
    figures.push({ figure: bench.title, measured: `error: ${message}`, target: '-', pass: false, notes: [] });
  }
  durations.push(`${bench.title} ${seconds(performance.now() - t)}`);
}
const totalMs = performance.now() - started;
const waited = lockWait.ms > 0 ? `; ${seconds(lockWait.ms)} of it waiting for the shared Docker lock (flock /tmp/bg-docker.lock) held by other work, not counted in any figure` : '';

const table = formatTable(figures);
const notes = figures.flatMap((f) => f.notes.map((n) => `- ${f.figure}: ${n}`));
const machine =
  `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ` +
  `${await versionOf('docker', ['version', '--format', 'docker {{.Server.Version}}'])}, ${await versionOf('docker', ['buildx', 'version'])}, ` +
  `${await versionOf('/usr/bin/chromium', ['--version'])}; 1-min load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;

console.log(table);
console.log('');
for (const n of notes) console.log(n);
console.log(`\ntotal ${seconds(totalMs)} (${durations.join(', ')})${waited}`);

const md = [
  '# Last benchmark run',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()} in ${seconds(totalMs)}${argv.length ? ` (flags: \`${argv.join(' ')}\`)` : ''}.`,
  '',
  table,
  '',
  ...notes,
  '',
  `Machine: ${machine}.`,
  '',
  `Time per benchmark: ${durations.join(', ')}${waited}.`,
  '',
].join('\n');
await writeFile(join(ROOT, 'bench/results.md'), md);
console.log('written: bench/results.md');
