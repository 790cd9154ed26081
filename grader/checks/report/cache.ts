/**
 * report.cacheEvidence: a pasted build log shows the cache at work: the cache import from the registry
 * and CACHED steps. A sentence saying "CACHED appeared" is not evidence. Pure.
 */
import type { CheckResult, Evidence } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { manualCheck, noReport, ocrNote, outputsOf, quoteLines, where, type ReportEvidence } from './common.ts';

const ID = 'report.cacheEvidence';

export function reportCacheCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const logs = outputsOf(e, 'build-log');
  const imported = logs.find((l) => l.item.log.cacheImport.status === 'imported');
  const cached = logs.find((l) => l.item.log.totals.cached > 0);
  const evidence: Evidence[] = [...new Set([imported, cached].filter((x) => x !== undefined))]
    .map((l) => quoteLines(`Wklejony log budowania (${l.report.file}, wiersze ${l.item.line}–${l.item.endLine})`, l.item.log.evidence));
  const edited = logs.filter((l) => l.item.log.edits.length > 0);
  const editNote = edited.length ? ` Log nosi ślady ręcznej edycji (${edited.map((l) => where(l.report, l.item.log.edits[0]!.line)).join('; ')}).` : '';
  const hint = 'Wklej jako tekst fragment logu drugiego budowania z wierszami „importing cache manifest from …” i „CACHED” (dla obu platform).';
  if (imported && cached) {
    const c = cached.item.log.totals;
    return {
      id: ID,
      status: 'pass',
      message: `Sprawozdanie pokazuje import cache (${where(imported.report, imported.item.log.cacheImport.line ?? imported.item.line)}) i kroki CACHED (${c.cached} z ${c.total}).${ocrNote([imported, cached])}${editNote}`,
      evidence,
      metrics: { cached: c.cached, total: c.total },
    };
  }
  if (imported || cached) {
    return {
      id: ID,
      status: 'fail',
      partial: 0.5,
      message: imported
        ? `Sprawozdanie pokazuje import cache (${where(imported.report, imported.item.line)}), ale żadnego kroku CACHED.${editNote}`
        : `Sprawozdanie pokazuje kroki CACHED (${where(cached!.report, cached!.item.line)}), ale nie import cache z rejestru (importing cache manifest from …).${editNote}`,
      hint,
      docs: [DOCS.registryCache],
      evidence,
    };
  }
  return manualCheck(ID, 'logu z importem cache i krokami CACHED', e, /cache|cach|CACHED|import/i) ?? {
    id: ID,
    status: 'fail',
    message: logs.length
      ? 'Wklejone logi budowania nie pokazują ani importu cache, ani kroków CACHED.'
      : 'Brak dowodu: sprawozdanie nie zawiera logu budowania z importem cache i krokami CACHED.',
    hint,
    docs: [DOCS.registryCache],
    evidence,
  };
}
