/**
 * report.builder: the report shows a docker-container builder: its `docker buildx create`
 * (docker-container is buildx's default driver), a build log's `#0 building with "NAME" instance
 * using docker-container driver` line, or `docker buildx ls` output. Pure.
 */
import type { CheckResult, Evidence } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, outputsOf, where, type ReportEvidence } from './common.ts';

const ID = 'report.builder';
const DRIVER = 'docker-container';

export function reportBuilderCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const creates = commandsOf(e).filter((c) => c.item.kind === 'buildx-create' && c.item.create);
  const container = creates.filter((c) => (c.item.create!.driver ?? DRIVER) === DRIVER);
  const logs = outputsOf(e, 'build-log').filter((l) => l.item.log.builder?.driver === DRIVER);
  const listed = outputsOf(e, 'builders').filter((b) => b.item.builders.some((x) => x.driver === DRIVER));
  const evidence: Evidence[] = [
    ...(creates.length ? [commandEvidence('Polecenia docker buildx create w sprawozdaniu', creates)] : []),
    ...logs.map((l) => ({
      kind: 'log' as const,
      title: `Wiersz sterownika w logu (${l.report.file})`,
      file: l.report.file,
      lines: [{ n: l.item.log.builder!.line ?? l.item.line, text: `#0 building with "${l.item.log.builder!.name}" instance using ${DRIVER} driver`, highlight: true }],
    })),
  ];
  const sources = [
    ...container.map((c) => `polecenie docker buildx create (${where(c.report, c.item.source.line)})`),
    ...logs.map((l) => `log budowania (${where(l.report, l.item.log.builder!.line ?? l.item.line)})`),
    ...listed.map((b) => `wynik docker buildx ls (${where(b.report, b.item.line)})`),
  ];
  if (sources.length) {
    return {
      id: ID,
      status: 'pass',
      message: `Sprawozdanie pokazuje builder ze sterownikiem docker-container: ${sources.join('; ')}.${ocrNote([...container, ...logs, ...listed])}`,
      evidence,
    };
  }
  const hint = 'Pokaż w sprawozdaniu polecenie docker buildx create --driver docker-container --name mybuilder --use i wiersz logu „#0 building with "mybuilder" instance using docker-container driver”.';
  return manualCheck(ID, 'buildera docker-container', e, /builder|buildx\s+(?:create|ls)|driver|sterownik|docker-container/i) ?? {
    id: ID,
    status: 'fail',
    message: creates.length
      ? `Builder w sprawozdaniu nie używa sterownika docker-container (${creates.map((c) => `--driver ${c.item.create!.driver}`).join(', ')}).`
      : 'Brak dowodu: sprawozdanie nie pokazuje buildera ze sterownikiem docker-container.',
    hint,
    docs: [DOCS.dockerContainerDriver],
    evidence,
  };
}
