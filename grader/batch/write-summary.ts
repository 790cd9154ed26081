/** Writes summary.csv, summary.md and summary.pdf of a batch from the students' results.json files. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderPdf } from '../report/pdf.ts';
import type { GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { classifyExisting } from './existing.ts';
import { summaryCsv, summaryMarkdown, summaryRows, type SummaryInput, type SummaryRow } from './summary.ts';

export const SUMMARY_FILES = { csv: 'summary.csv', md: 'summary.md', pdf: 'summary.pdf' } as const;
export const SUMMARY_PDF_TITLE = 'buildx-grader podsumowanie';

export interface WrittenSummary {
  rows: SummaryRow[];
  files: string[];
  pdfError?: string;
}

export async function writeSummary(outDir: string, keys: string[], rubric: Rubric, o: { pdf: boolean; command?: string }): Promise<WrittenSummary> {
  const inputs: SummaryInput[] = [];
  for (const key of keys) {
    const text = await readFile(path.join(outDir, key, 'results.json'), 'utf8').catch(() => undefined);
    const state = classifyExisting(text);
    const result = state === 'complete' || state === 'needs-regrade' ? (JSON.parse(text!) as GradeResult) : undefined;
    inputs.push(result ? { key, result } : { key });
  }
  const rows = summaryRows(inputs, rubric);
  const markdown = summaryMarkdown(rows, inputs, rubric, { generatedAt: new Date().toISOString(), ...(o.command ? { command: o.command } : {}) });
  const files: string[] = [];
  for (const [name, content] of [[SUMMARY_FILES.csv, summaryCsv(rows, rubric)], [SUMMARY_FILES.md, markdown]] as const) {
    const file = path.join(outDir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, content, 'utf8');
    await rename(tmp, file);
    files.push(file);
  }
  const written: WrittenSummary = { rows, files };
  if (o.pdf) {
    try {
      const file = path.join(outDir, SUMMARY_FILES.pdf);
      await renderPdf({ markdown, title: SUMMARY_PDF_TITLE, footer: 'Podsumowanie oceny – laboratorium 7' }, file);
      files.push(file);
    } catch (error) {
      written.pdfError = error instanceof Error ? error.message : String(error);
    }
  }
  return written;
}
