/**
 * report.cacheTo: a build command in the report exports the cache to a registry with mode=max,
 * as a separate image (its ref differs from every -t). `--provenance=mode=max` is not a cache
 * mode: only the --cache-to entry's own fields count. Pure.
 */
import type { CsvEntry } from '../../commands/types.ts';
import type { CheckResult } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, where, type ReportEvidence } from './common.ts';

const ID = 'report.cacheTo';
const HINT = 'W poleceniu budowania użyj --cache-to type=registry,ref=<registry7>/<repozytorium>:buildcache,mode=max (tag inny niż w -t) i --cache-from z tą samą referencją.';

const refOf = (c: CsvEntry) => c.attrs.ref ?? (c.shorthand ? c.text : undefined);
const withLatest = (r: string) => (/:[\w][\w.-]*$/.test(r.split('/').at(-1) ?? '') || r.includes('@') ? r : `${r}:latest`);

export function reportCacheToCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const builds = commandsOf(e).filter((c) => c.item.kind === 'buildx-build' && c.item.build);
  const judged = builds.map((c) => {
    const b = c.item.build!;
    const registry = b.cacheTo.find((t) => (t.type ?? 'registry') === 'registry' && refOf(t));
    const tags = new Set(b.tags.map(withLatest));
    return {
      c,
      registry,
      other: b.cacheTo.find((t) => t.type && t.type !== 'registry'),
      max: registry?.attrs.mode === 'max',
      separate: registry ? !tags.has(withLatest(refOf(registry)!)) : false,
    };
  });
  const good = judged.find((j) => j.registry && j.max && j.separate);
  if (good) {
    return {
      id: ID,
      status: 'pass',
      message: `Polecenie w sprawozdaniu (${where(good.c.report, good.c.item.source.line)}) eksportuje cache do rejestru jako osobny obraz ${refOf(good.registry!)} w trybie max.${ocrNote([good.c])}`,
      evidence: [commandEvidence('Polecenie z --cache-to w sprawozdaniu', [good.c])],
    };
  }
  const withRegistry = judged.find((j) => j.registry);
  if (withRegistry) {
    const problems = [
      ...(withRegistry.max ? [] : [withRegistry.registry!.attrs.mode ? `tryb mode=${withRegistry.registry!.attrs.mode} zamiast mode=max` : 'brak mode=max (domyślny jest mode=min)']),
      ...(withRegistry.separate ? [] : ['cache pod tą samą referencją co obraz (-t), a ma być osobnym obrazem']),
    ];
    return {
      id: ID,
      status: 'fail',
      partial: 0.5,
      message: `Polecenie w sprawozdaniu (${where(withRegistry.c.report, withRegistry.c.item.source.line)}) eksportuje cache do rejestru, ale: ${problems.join('; ')}.`,
      hint: HINT,
      docs: [DOCS.registryCache, DOCS.cacheMode],
      evidence: [commandEvidence('Polecenie z --cache-to w sprawozdaniu', [withRegistry.c])],
    };
  }
  const other = judged.find((j) => j.other);
  if (other) {
    return {
      id: ID,
      status: 'fail',
      message: `Polecenie w sprawozdaniu (${where(other.c.report, other.c.item.source.line)}) eksportuje cache typu ${other.other!.type}, a laboratorium wymaga cache w rejestrze (type=registry) jako osobnego obrazu.`,
      hint: HINT,
      docs: [DOCS.registryCache],
      evidence: [commandEvidence('Polecenie z --cache-to w sprawozdaniu', [other.c])],
    };
  }
  return manualCheck(ID, 'polecenia z --cache-to', e, /cache-to|mode=max/i) ?? {
    id: ID,
    status: 'fail',
    message: builds.length
      ? 'Żadne polecenie budowania w sprawozdaniu nie eksportuje cache (brak --cache-to).'
      : 'Brak dowodu: sprawozdanie nie pokazuje polecenia budowania z --cache-to.',
    hint: HINT,
    docs: [DOCS.registryCache],
    evidence: builds.length ? [commandEvidence('Polecenia budowania w sprawozdaniu', builds)] : [],
  };
}
