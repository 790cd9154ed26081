/**
 * Log analysis: parseBuildLogFile over a ~200 MB log made by repeating the real captured
 * fixture logs (plain and tty), in a child process so its peak RSS is the parser's own.
 *
 *   node --import tsx bench/log-parse.ts [--size-mb 200] [--cpu-prof]
 *
 * Targets: >= 100 MB/s and peak RSS < 150 MB.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';

import { parseBuildLogFile } from '../grader/build-log/parse.ts';
import { ROOT, benchTempDir, intFlag, isMain, printFigures, runChild, tsxArgs, type Figure } from './common.ts';

const FIXTURES = join(ROOT, 'test/fixtures/buildx-logs');
const TARGET_MBPS = 100;
const TARGET_RSS_MB = 150;
const MB = 1024 * 1024;

/** What the child prints as its last stdout line. */
interface ChildReport {
  bytes: number;
  lines: number;
  parseMs: number;
  /** User + system CPU time of the parse, ms: less sensitive to other load on the machine. */
  cpuMs: number;
  /** VmHWM (peak RSS) after loading node + tsx + the parser, before parsing. */
  baselinePeakKb: number;
  /** VmHWM after parsing: the process's peak. */
  peakKb: number;
  /** process.resourceUsage().maxRSS, same peak as the kernel reports it to getrusage. */
  maxRssKb: number;
}

/** Peak RSS so far (kB): VmHWM on Linux, getrusage's maxRSS elsewhere. */
function peakRssKb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no procfs
  }
  return process.resourceUsage().maxRSS;
}

async function child(path: string): Promise<void> {
  const { size } = await stat(path);
  const baselinePeakKb = peakRssKb();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const analysis = await parseBuildLogFile(path);
  const parseMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const report: ChildReport = {
    bytes: size,
    lines: analysis.lineCount,
    parseMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselinePeakKb,
    peakKb: peakRssKb(),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  console.log(JSON.stringify(report));
}

/** Writes `sizeMb` MB of real logs, repeated, to a new temp file; returns its path. */
export async function generateLog(dir: string, sizeMb: number): Promise<string> {
  const names = (await readdir(FIXTURES)).filter((n) => n.endsWith('.log') || n.endsWith('.txt')).sort();
  if (names.length === 0) throw new Error(`no fixture logs in ${FIXTURES}`);
  const parts = await Promise.all(names.map((n) => readFile(join(FIXTURES, n))));
  // One "round" holds every fixture once, each ending with a newline so lines never merge.
  const round = Buffer.concat(parts.flatMap((p) => (p.at(-1) === 0x0a ? [p] : [p, Buffer.from('\n')])));
  // Write big blocks of rounds: fast, and the file really is the fixtures repeated.
  const block = Buffer.concat(Array.from({ length: Math.max(1, Math.floor(MB / round.length)) }, () => round));
  const path = join(dir, 'buildx-200mb.log');
  const out = createWriteStream(path);
  const target = sizeMb * MB;
  for (let written = 0; written < target; written += block.length) {
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

export interface LogParseOptions {
  sizeMb?: number;
  /** Write a V8 CPU profile of the child into this directory. */
  cpuProfDir?: string;
}

export async function benchLogParse(opts: LogParseOptions = {}): Promise<Figure[]> {
  const sizeMb = opts.sizeMb ?? 200;
  const dir = await benchTempDir('bench-log-parse-');
  try {
    const path = await generateLog(dir, sizeMb);
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
    const run = await runChild(process.execPath, [...nodeArgs, ...tsxArgs(join(ROOT, 'bench/log-parse.ts'), ['--child', path])]);
    if (run.exitCode !== 0) throw new Error(`log-parse child failed (${run.exitCode}): ${run.stderr.slice(-2000)}`);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
    const mb = report.bytes / MB;
    const mbps = mb / (report.parseMs / 1000);
    const peakMb = report.peakKb / 1024;
    const baseMb = report.baselinePeakKb / 1024;
    const notes = [
      `${mb.toFixed(0)} MB, ${report.lines.toLocaleString('en')} lines (all fixture logs repeated) parsed in ${(report.parseMs / 1000).toFixed(2)} s wall, ${(report.cpuMs / 1000).toFixed(2)} s CPU (${(mb / (report.cpuMs / 1000)).toFixed(0)} MB per CPU-second)`,
      `peak RSS ${peakMb.toFixed(0)} MB (VmHWM), of which ${baseMb.toFixed(0)} MB is node + tsx + parser loaded before parsing; getrusage maxRSS ${(report.maxRssKb / 1024).toFixed(0)} MB`,
    ];
    return [
      {
        figure: 'log parse: throughput',
        measured: `${mbps.toFixed(0)} MB/s`,
        target: `>= ${TARGET_MBPS} MB/s`,
        pass: mbps >= TARGET_MBPS,
        notes,
      },
      {
        figure: 'log parse: peak RSS',
        measured: `${peakMb.toFixed(0)} MB`,
        target: `< ${TARGET_RSS_MB} MB`,
        pass: peakMb < TARGET_RSS_MB,
        notes: [],
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const childIndex = argv.indexOf('--child');
  if (childIndex >= 0) {
    await child(argv[childIndex + 1] ?? '');
  } else {
    const profIndex = argv.indexOf('--cpu-prof');
    const figures = await benchLogParse({
      sizeMb: intFlag(argv, 'size-mb', 200),
      ...(profIndex >= 0 ? { cpuProfDir: join(ROOT, 'bench/.profiles') } : {}),
    });
    printFigures(figures);
  }
}
