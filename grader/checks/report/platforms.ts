/** report.platforms: a build command in the report builds for linux/amd64 and linux/arm64. Pure. */
import type { CheckResult } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, where, type ReportEvidence } from './common.ts';

const ID = 'report.platforms';
const REQUIRED = ['linux/amd64', 'linux/arm64'];
const HINT = 'Buduj dla obu platform: docker buildx build --platform linux/amd64,linux/arm64 … i pokaż to polecenie w sprawozdaniu.';

export function reportPlatformsCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const builds = commandsOf(e).filter((c) => c.item.kind === 'buildx-build' && c.item.build);
  const covered = (c: (typeof builds)[number]) => REQUIRED.filter((p) => c.item.build!.platforms.includes(p)).length;
  const best = builds.reduce<(typeof builds)[number] | undefined>((a, c) => (a === undefined || covered(c) > covered(a) ? c : a), undefined);
  if (best && covered(best) === REQUIRED.length) {
    return {
      id: ID,
      status: 'pass',
      message: `Polecenie w sprawozdaniu (${where(best.report, best.item.source.line)}) buduje dla ${best.item.build!.platforms.join(', ')}.${ocrNote([best])}`,
      evidence: [commandEvidence('Polecenie budowania w sprawozdaniu', [best])],
    };
  }
  if (best && covered(best) === 1) {
    return {
      id: ID,
      status: 'fail',
      partial: 0.5,
      message: `Polecenie w sprawozdaniu (${where(best.report, best.item.source.line)}) buduje tylko dla ${best.item.build!.platforms.join(', ')}; laboratorium wymaga linux/amd64 i linux/arm64.`,
      hint: HINT,
      docs: [DOCS.multiPlatform],
      evidence: [commandEvidence('Polecenie budowania w sprawozdaniu', [best])],
    };
  }
  return manualCheck(ID, 'polecenia budowania dla linux/amd64 i linux/arm64', e, /platform|amd64|arm64|architektur/i) ?? {
    id: ID,
    status: 'fail',
    message: builds.length
      ? 'Żadne polecenie budowania w sprawozdaniu nie podaje --platform linux/amd64,linux/arm64 (bez --platform buduje się tylko dla platformy komputera).'
      : 'Brak dowodu: sprawozdanie nie pokazuje polecenia budowania z --platform linux/amd64,linux/arm64.',
    hint: HINT,
    docs: [DOCS.multiPlatform],
    evidence: builds.length ? [commandEvidence('Polecenia budowania w sprawozdaniu', builds)] : [],
  };
}
