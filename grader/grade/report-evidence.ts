/**
 * Reads the student's report files into report evidence: Markdown and text through the report
 * reader, PDF and DOCX through the document readers, and screenshots through OCR (local files
 * always; remote ones only when the instructor allows fetching them).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ReportEvidence, ScreenshotReading } from '../checks/report/common.ts';
import { readDocument, reportTextInput } from '../documents/read-document.ts';
import { ocrImages } from '../documents/ocr.ts';
import type { ImageInput } from '../documents/types.ts';
import { readReport } from '../student-report/read-report.ts';
import { isReportCheck, reportChecks } from '../checks/report/index.ts';
import type { CheckResult, EvidenceFingerprint } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { findReportFiles } from '../submission/discover.ts';
import type { Submission } from '../submission/load-submission.ts';
import type { ReportImage, StudentReport } from '../student-report/types.ts';
import type { ParsedCommand } from '../commands/types.ts';
import { reportConsistencyCheck, type ConsistencyInput } from '../checks/report-consistency.ts';
import { chooseBuildCommand } from './student-build.ts';

export interface ReportEvidenceOptions {
  /** The repository root; report paths are relative to it. */
  root: string;
  files: readonly string[];
  /** Download remote screenshots (e.g. github.com/user-attachments) for OCR. */
  fetchImages: boolean;
  signal?: AbortSignal;
}

export async function collectReportEvidence(o: ReportEvidenceOptions): Promise<ReportEvidence & { fingerprints: EvidenceFingerprint[] }> {
  const evidence: ReportEvidence & { fingerprints: EvidenceFingerprint[] } = { files: [...o.files], reports: [], unreadable: [], screenshots: [], fingerprints: [] };
  for (const file of o.files) {
    const doc = await readDocument(file, { root: o.root, ...(o.signal ? { signal: o.signal } : {}) });
    if (!doc.ok) {
      evidence.unreadable.push({ file, reason: doc.message });
      continue;
    }
    const read = readReport(reportTextInput(file, doc));
    if (!read.ok) {
      evidence.unreadable.push({ file, reason: read.error.code === 'too-large' ? `plik ma ${read.error.bytes} B, limit ${read.error.limit} B` : 'to nie jest plik tekstowy' });
      continue;
    }
    evidence.reports.push(read.report);
    evidence.fingerprints.push(...fingerprints(read.report, doc.text.split('\n')));
    const images: { input: ImageInput; image: ReportImage }[] = [
      ...read.report.images.flatMap((image) => (image.location.kind === 'unsupported' ? [] : [{ input: { ref: image.src, line: image.line }, image }])),
      ...doc.images.map((input) => ({ input, image: embeddedImage(file, input) })),
    ];
    if (images.length === 0) continue;
    const results = await ocrImages(images.map((i) => i.input), {
      root: o.root,
      reportDir: path.posix.dirname(file.split(path.sep).join('/')),
      remote: { enabled: o.fetchImages },
      ...(o.signal ? { signal: o.signal } : {}),
    });
    results.forEach((r, i) => evidence.screenshots.push(screenshot(images[i]!.image, r)));
  }
  return evidence;
}

function embeddedImage(file: string, input: ImageInput): ReportImage {
  return { file, line: input.line ?? 1, alt: '', src: input.ref, via: 'markdown', location: { kind: 'data', mediaType: 'image' }, section: [] };
}

function screenshot(image: ReportImage, r: Awaited<ReturnType<typeof ocrImages>>[number]): ScreenshotReading {
  if (r.status !== 'read') return { image, status: r.status, reason: r.message };
  const read = readReport({ file: `${image.file}:${image.line}`, text: r.text, format: 'plain', extractedFrom: 'ocr' });
  return read.ok ? { image, status: 'read', report: read.report } : { image, status: 'unreadable', reason: 'tekstu z OCR nie udało się odczytać' };
}

/** What report.consistency compares with the repository (typed text only). */
export interface ReportFacts {
  logs: ConsistencyInput['logs'];
  reportBuilds: ParsedCommand[];
  reportDigests: ConsistencyInput['reportDigests'];
}

/** What the report offers the bonus: its typed commands (OCR text is never run) and the cache digests its builds printed. */
export interface ReportDeletionInput {
  commands: ParsedCommand[];
  exportedCacheDigests: string[];
}

/**
 * The rubric's report checks for a submission: its report files (named, else found by name) read
 * and judged. The report is read also when only the bonus needs it (its deletion commands).
 */
export async function gradeReport(
  sub: Submission,
  rubric: Rubric,
  o: { fetchImages: boolean; signal?: AbortSignal; progress?: (m: string) => void },
): Promise<{ checks: CheckResult[]; files: string[]; driverLines: DriverLine[]; fingerprints: EvidenceFingerprint[]; deletion: ReportDeletionInput; facts: ReportFacts }> {
  const ids = rubric.checks.map((c) => c.id).filter(isReportCheck);
  if (ids.length === 0 && !rubric.checks.some((c) => c.id === 'bonus.registry7.delete')) {
    return { checks: [], files: sub.report?.files ?? [], driverLines: [], fingerprints: [], deletion: { commands: [], exportedCacheDigests: [] }, facts: { logs: [], reportBuilds: [], reportDigests: [] } };
  }
  const files = sub.report?.files ?? await findReportFiles(sub.dir);
  o.progress?.(files.length ? `czytam sprawozdanie (${files.join(', ')})` : 'nie znaleziono sprawozdania');
  const evidence = await collectReportEvidence({ root: sub.dir, files, fetchImages: o.fetchImages, ...(o.signal ? { signal: o.signal } : {}) });
  return { checks: reportChecks(evidence, ids), files, driverLines: driverLines(evidence), fingerprints: evidence.fingerprints, deletion: deletionInput(evidence), facts: reportFacts(evidence) };
}

/** What report.consistency compares, from the typed reports (OCR text is too weak to flag anyone). */
export function reportFacts(e: Pick<ReportEvidence, 'reports'>): ReportFacts {
  const typed = e.reports.filter((r) => r.confidence === 'report');
  const digests: ReportFacts['reportDigests'] = [];
  const logs: ReportFacts['logs'] = [];
  for (const r of typed) {
    for (const o of r.outputs) {
      const at = { file: r.file, line: o.line };
      if (o.kind === 'build-log') {
        logs.push({ ...at, instructions: o.log.instructions });
        if (o.log.manifestList) digests.push({ kind: 'image', ...at, digest: o.log.manifestList });
        const cache = o.log.cacheExport.exported ? o.log.cacheExport.manifestDigest : null;
        // Cited where the digest is printed, else at the export's first line.
        if (cache) digests.push({ kind: 'cache', file: r.file, line: o.log.evidence.find((l) => l.text.includes(cache))?.line ?? o.log.cacheExport.line ?? o.line, digest: cache });
      }
      if (o.kind === 'manifest' && o.manifest.digest) digests.push({ kind: o.manifest.buildkitCache ? 'cache' : 'image', ...at, digest: o.manifest.digest });
      if (o.kind === 'digest') digests.push({ kind: 'image', ...at, digest: o.digest });
    }
  }
  return { logs, reportBuilds: typed.flatMap((r) => r.commands.map((c) => c.parsed).filter((c) => c.build !== undefined)), reportDigests: digests };
}

function deletionInput(e: ReportEvidence): ReportDeletionInput {
  const typed = e.reports.filter((r) => r.confidence === 'report');
  return {
    commands: typed.flatMap((r) => r.commands.map((c) => c.parsed)),
    exportedCacheDigests: typed.flatMap((r) => r.outputs.flatMap((o) => (o.kind === 'build-log' && o.log.cacheExport.exported && o.log.cacheExport.manifestDigest ? [o.log.cacheExport.manifestDigest] : []))),
  };
}

export interface DriverLine {
  file: string;
  line: number;
  name: string;
}

/** docker-container driver lines of build logs typed into the report (OCR text is too weak to score the builder). */
function driverLines(e: ReportEvidence): DriverLine[] {
  return e.reports.flatMap((r) => r.outputs.flatMap((o) => {
    const b = o.kind === 'build-log' ? o.log.builder : null;
    return b && b.driver === 'docker-container' && b.line !== null ? [{ file: r.file, line: b.line, name: b.name }] : [];
  }));
}

/** Short pastes match by chance (a two-line log); these are long enough to be one student's own run. */
const MIN_FINGERPRINT_LINES = 6;

/** Pasted logs and manifests hashed with whitespace normalised, and every sha256 digest they show. */
function fingerprints(report: StudentReport, lines: readonly string[]): EvidenceFingerprint[] {
  const out: EvidenceFingerprint[] = [];
  const digests = new Set<string>();
  for (const o of report.outputs) {
    if (o.kind === 'build-log' || o.kind === 'manifest') {
      const text = lines.slice(o.line - 1, o.endLine).map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean);
      if (text.length >= MIN_FINGERPRINT_LINES) out.push({ kind: o.kind, file: report.file, line: o.line, hash: createHash('sha256').update(text.join('\n')).digest('hex').slice(0, 16) });
    }
    if (o.kind === 'digest') digests.add(o.digest);
    if (o.kind === 'manifest' && o.manifest.digest) digests.add(o.manifest.digest);
  }
  for (const d of digests) {
    const o = report.outputs.find((x) => (x.kind === 'digest' && x.digest === d) || (x.kind === 'manifest' && x.manifest.digest === d))!;
    out.push({ kind: 'digest', file: report.file, line: o.line, hash: d });
  }
  return out;
}

/**
 * report.consistency for a submission: its report facts against the Dockerfile the grader builds,
 * the repository's own build command (when it does not come from the report) and what was published.
 */
export function consistencyOf(
  facts: ReportFacts,
  o: { commands: readonly ParsedCommand[]; reportFiles: readonly string[]; dockerfile: ConsistencyInput['dockerfile']; published: ConsistencyInput['published'] },
): CheckResult | undefined {
  const chosen = chooseBuildCommand(o.commands)?.chosen;
  return reportConsistencyCheck({
    dockerfile: o.dockerfile,
    logs: facts.logs,
    reportBuilds: facts.reportBuilds,
    repositoryBuild: chosen && !o.reportFiles.includes(chosen.source.file) ? chosen : null,
    published: o.published,
    reportDigests: facts.reportDigests,
  });
}
