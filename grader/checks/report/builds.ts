/** report.twoBuilds: the report shows at least two builds (the lab's build, then the build that uses the cache). Pure. */
import type { CheckResult } from '../../results/types.ts';
import { plural } from '../../submission/json-input.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, outputsOf, quoteLines, type ReportEvidence } from './common.ts';

const ID = 'report.twoBuilds';
const RELEVANT = /build|budow|cache|CACHED/i;

export function reportBuildsCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const builds = commandsOf(e).filter((c) => c.item.kind === 'buildx-build');
  const logs = outputsOf(e, 'build-log');
  const shown = Math.max(builds.length, logs.length);
  const evidence = [
    ...(builds.length ? [commandEvidence('Polecenia budowania w sprawozdaniu', builds)] : []),
    ...logs.slice(0, 4).map((l) => quoteLines(`Wklejony log budowania (${l.report.file}, wiersze ${l.item.line}–${l.item.endLine})`, l.item.excerpt)),
  ];
  if (shown >= 2) {
    return {
      id: ID,
      status: 'pass',
      message: `Sprawozdanie pokazuje ${builds.length >= 2 ? `${builds.length} ${plural(builds.length, 'polecenie', 'polecenia', 'poleceń')} budowania` : `${logs.length} ${plural(logs.length, 'log', 'logi', 'logów')} budowania`}.${ocrNote([...builds, ...logs])}`,
      evidence,
    };
  }
  const hint = 'Pokaż w sprawozdaniu dwa budowania: pierwsze z --cache-to i drugie (po wyczyszczeniu buildera) z --cache-from, z poleceniem i wklejonym logiem każdego.';
  if (shown === 1) {
    return manualCheck(ID, 'drugiego budowania', e, RELEVANT) ?? {
      id: ID, status: 'fail', partial: 0.5,
      message: 'Sprawozdanie pokazuje tylko jedno budowanie; laboratorium prosi o co najmniej dwa.', hint, docs: [DOCS.registryCache], evidence,
    };
  }
  return manualCheck(ID, 'żadnego polecenia docker buildx build ani logu budowania', e, RELEVANT) ?? {
    id: ID, status: 'fail', message: 'Brak dowodu: sprawozdanie nie pokazuje żadnego polecenia docker buildx build ani logu budowania.', hint, docs: [DOCS.buildxBuild], evidence,
  };
}
