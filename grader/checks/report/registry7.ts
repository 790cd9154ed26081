/** report.registry7: the report shows registry7 started from the `registry` image. Pure. */
import type { CheckResult } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, outputsOf, where, type ReportEvidence } from './common.ts';
import { registryRun } from './registry.ts';

const ID = 'report.registry7';

export function reportRegistry7Check(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const runs = commandsOf(e).flatMap((c) => {
    const run = registryRun(c.item);
    return run ? [{ ...c, run }] : [];
  });
  const named = runs.filter((r) => r.run.name === 'registry7');
  const listed = outputsOf(e, 'containers').filter((o) => o.item.containers.some((c) => /\bregistry7\b/.test(c.names) && /(?:^|\/)registry(?::|$)/.test(c.image)));
  const hint = 'Pokaż polecenie uruchamiające registry7, np. docker run -d -p 5000:5000 --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2.';
  if (named.length || listed.length) {
    const first = named[0];
    return {
      id: ID,
      status: 'pass',
      message: first
        ? `Sprawozdanie pokazuje uruchomienie registry7 z obrazu ${first.run.image} (${where(first.report, first.item.source.line)}).${ocrNote(named)}`
        : `Sprawozdanie pokazuje działający kontener registry7 z obrazu registry (${where(listed[0]!.report, listed[0]!.item.line)}).${ocrNote(listed)}`,
      evidence: named.length ? [commandEvidence('Uruchomienie registry7 w sprawozdaniu', named)] : [],
    };
  }
  if (runs.length) {
    return {
      id: ID,
      status: 'fail',
      partial: 0.5,
      message: `Sprawozdanie uruchamia rejestr z obrazu registry, ale pod inną nazwą niż registry7 (${runs.map((r) => r.run.name ?? 'bez --name').join(', ')}).`,
      hint,
      docs: [DOCS.deleteApi],
      evidence: [commandEvidence('Uruchomienie rejestru w sprawozdaniu', runs)],
    };
  }
  return manualCheck(ID, 'uruchomienia registry7', e, /registry7|registry:2|rejestr|docker\s+run|docker\s+ps/i) ?? {
    id: ID,
    status: 'fail',
    message: 'Brak dowodu: sprawozdanie nie pokazuje uruchomienia kontenera registry7 z obrazu registry:2.',
    hint,
    evidence: [],
  };
}
