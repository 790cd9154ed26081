/** report.manifest: the report shows the image's manifest with linux/amd64 and linux/arm64. Pure. */
import type { CheckResult } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, manualCheck, noReport, ocrNote, outputsOf, quoteLines, where, type ReportEvidence } from './common.ts';

const ID = 'report.manifest';
const REQUIRED = ['linux/amd64', 'linux/arm64'];
const INSPECT = /^(?:docker\s+(?:buildx\s+imagetools\s+inspect|manifest\s+inspect)|curl\b.*\/manifests\/|regctl|skopeo\s+inspect|crane\s+manifest)/;

export function reportManifestCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const manifests = outputsOf(e, 'manifest').filter((m) => !m.item.manifest.buildkitCache);
  const inspects = commandsOf(e).filter((c) => INSPECT.test(c.item.argv.join(' ')));
  const complete = manifests.find((m) => REQUIRED.every((p) => m.item.manifest.platforms.includes(p)));
  const hint = 'Wklej do sprawozdania wynik docker buildx imagetools inspect <obraz> jako tekst: widać w nim „Platform: linux/amd64” i „Platform: linux/arm64”.';
  if (complete) {
    const m = complete.item;
    return {
      id: ID,
      status: 'pass',
      message: `Sprawozdanie pokazuje manifest obrazu${m.manifest.name ? ` ${m.manifest.name}` : ''} z platformami ${m.manifest.platforms.join(', ')} (${where(complete.report, m.line)}).${ocrNote([complete])}`,
      evidence: [quoteLines(`Wklejony manifest (${complete.report.file})`, m.excerpt)],
    };
  }
  const partial = manifests[0];
  if (partial) {
    const missing = REQUIRED.filter((p) => !partial.item.manifest.platforms.includes(p));
    return {
      id: ID,
      status: 'fail',
      partial: 0.5,
      message: `Manifest w sprawozdaniu (${where(partial.report, partial.item.line)}) nie pokazuje platform: ${missing.join(', ')}.`,
      hint,
      docs: [DOCS.imagetools, DOCS.multiPlatform],
      evidence: [quoteLines(`Wklejony manifest (${partial.report.file})`, partial.item.excerpt)],
    };
  }
  return manualCheck(ID, 'manifestu z platformami', e, /manifest|imagetools|inspect|platform|amd64|arm64|architektur/i) ?? {
    id: ID,
    status: 'fail',
    message: inspects.length
      ? 'Brak dowodu: sprawozdanie podaje polecenie inspekcji manifestu, ale nie pokazuje jego wyniku.'
      : 'Brak dowodu: sprawozdanie nie pokazuje manifestu obrazu z platformami linux/amd64 i linux/arm64.',
    hint,
    docs: [DOCS.imagetools],
    evidence: inspects.length ? [commandEvidence('Polecenia inspekcji w sprawozdaniu', inspects)] : [],
  };
}
