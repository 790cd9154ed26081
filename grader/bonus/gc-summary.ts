/** Pure parser of `registry garbage-collect` output (distribution 2.8). */
import type { GcSummary } from './types.ts';

// e.g. "21 blobs marked, 7 blobs and 0 manifests eligible for deletion"
// (older releases print "N blobs marked, M blobs eligible for deletion").
const SUMMARY = /^(\d+) blobs marked, (\d+) blobs(?: and (\d+) manifests)? eligible for deletion/;
const DELETING = /msg="Deleting blob: /;
const ERROR = /level=(?:error|fatal|panic)|^panic:|^Error:|^failed to /i;

export function summarizeGcOutput(text: string): GcSummary {
  const summary: GcSummary = { blobsDeleted: 0, errors: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = SUMMARY.exec(line);
    if (m) {
      summary.line = line;
      summary.blobsMarked = Number(m[1]);
      summary.blobsEligible = Number(m[2]);
      if (m[3] !== undefined) summary.manifestsEligible = Number(m[3]);
    } else if (DELETING.test(line)) {
      summary.blobsDeleted++;
    } else if (ERROR.test(line)) {
      summary.errors.push(line);
    }
  }
  return summary;
}
