// The report's requirements as rubric checks (issue 12 point 4), on reports in the shapes students write.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { reportChecks, type ReportEvidence, type ScreenshotReading } from '../../grader/checks/report/index.ts';
import type { CheckId, CheckResult } from '../../grader/results/types.ts';
import { readReport } from '../../grader/student-report/read-report.ts';
import type { StudentReport } from '../../grader/student-report/types.ts';

const IDS: CheckId[] = ['report.twoBuilds', 'report.platforms', 'report.manifest', 'report.cacheEvidence', 'report.builder', 'report.registry7', 'report.cacheTo', 'report.bonus'];

function read(file: string, text: string, format: 'markdown' | 'plain' = 'markdown', extractedFrom?: 'ocr'): StudentReport {
  const r = readReport({ file, text, format, ...(extractedFrom ? { extractedFrom } : {}) });
  assert.ok(r.ok, JSON.stringify(r));
  return r.report;
}
/** Every image of the report, not read (remote images are fetched only with --fetch-images). */
function evidence(report: StudentReport, screenshots?: ScreenshotReading[]): ReportEvidence {
  return {
    files: [report.file],
    reports: [report],
    unreadable: [],
    screenshots: screenshots ?? report.images.map((image) => ({ image, status: 'skipped', reason: 'obrazy zdalne pobiera się tylko z --fetch-images' })),
  };
}
const byId = (checks: CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));
const statuses = (checks: CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c.partial === undefined ? c.status : `${c.status} ${c.partial}`]));

describe('report checks', () => {
  test('the bundled example report: every requirement shown, each quoted with file and line', () => {
    const report = read('sprawozdanie.md', readFileSync('submissions/example/sprawozdanie.md', 'utf8'));
    const checks = reportChecks(evidence(report), IDS);
    assert.deepEqual(checks.map((c) => c.status), IDS.map(() => 'pass'));
    const c = byId(checks);
    assert.match(c['report.manifest']!.message, /linux\/amd64, linux\/arm64 \(sprawozdanie\.md, wiersz \d+\)/);
    assert.match(c['report.cacheEvidence']!.message, /import cache \(sprawozdanie\.md, wiersz \d+\) i kroki CACHED \(12 z 12\)/);
    assert.match(c['report.bonus']!.message, /DELETE po digeście \(sprawozdanie\.md, wiersz \d+\)/);
  });

  test('the real seed report: screenshots it does not transcribe are left to the instructor, missing parts fail', () => {
    const report = read('sprawozdanie.md', readFileSync('../shared/seeds/sprawozdanie-studenta-przyklad.md', 'utf8'));
    const checks = reportChecks(evidence(report), IDS);
    assert.deepEqual(statuses(checks), {
      'report.twoBuilds': 'pass',
      'report.platforms': 'pass',
      // The manifest and the CACHED lines are only in screenshots captioned with them.
      'report.manifest': 'manual',
      'report.cacheEvidence': 'manual',
      'report.builder': 'pass',
      // Pushed to Docker Hub; nothing near a screenshot mentions registry7.
      'report.registry7': 'fail',
      'report.cacheTo': 'pass',
      'report.bonus': 'fail',
    });
    assert.match(byId(checks)['report.cacheEvidence']!.message, /^Do sprawdzenia ręcznie/);
    assert.match(byId(checks)['report.bonus']!.message, /^Brak odpowiedzi/);
  });

  test('traps: --provenance=mode=max is no cache mode, the cache ref equal to the image ref, DELETE by tag', () => {
    const text = [
      '## Budowanie',
      '```',
      'PS C:\\lab7> docker buildx build --platform linux/amd64,linux/arm64 -t ola/pogoda:latest --push `',
      '>>   --provenance=mode=max --cache-to type=registry,ref=ola/pogoda:latest --cache-from ola/pogoda:latest .',
      '```',
      '## Usuwanie',
      '`curl -X DELETE http://localhost:5000/v2/ola/pogoda/manifests/latest`',
    ].join('\n');
    const c = byId(reportChecks(evidence(read('README.md', text)), IDS));
    assert.equal(c['report.cacheTo']!.status, 'fail');
    assert.equal(c['report.cacheTo']!.partial, 0.5);
    assert.match(c['report.cacheTo']!.message, /brak mode=max \(domyślny jest mode=min\); cache pod tą samą referencją co obraz/);
    assert.equal(c['report.bonus']!.status, 'fail');
    assert.equal(c['report.bonus']!.partial, 0);
    assert.match(c['report.bonus']!.message, /DELETE wskazuje tag zamiast digestu/);
    assert.equal(c['report.twoBuilds']!.partial, 0.5, 'one build shown: half the points');
  });

  test('the bonus answered with skopeo delete: deleted by a digest skopeo reads itself; crane delete with a tag is a delete by tag', () => {
    const bonus = (command: string) => byId(reportChecks(evidence(read('r.md', `## Zadanie dodatkowe\n\n\`\`\`\n$ docker run -d -p 5000:5000 --name registry7 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2\n$ ${command}\n$ docker exec registry7 bin/registry garbage-collect /etc/docker/registry/config.yml\n\`\`\`\n`)), IDS))['report.bonus']!;
    const skopeo = bonus('skopeo delete --tls-verify=false docker://localhost:5000/app:buildcache');
    assert.equal(skopeo.status, 'pass', skopeo.message);
    assert.match(skopeo.message, /digest odczytany z nagłówkiem Accept \(r\.md, wiersz 5\); DELETE po digeście \(r\.md, wiersz 5\)/);
    const crane = bonus('crane delete localhost:5000/app:buildcache');
    assert.equal(crane.status, 'fail');
    assert.equal(crane.partial, 0.5);
    assert.match(crane.message, /nie widać odczytu digestu z nagłówkiem Accept.*; DELETE wskazuje tag zamiast digestu/);
  });

  test('a log pasted with the import but no CACHED step: half the points; a sentence alone is no evidence', () => {
    const withImport = read('r.md', '## Budowanie 2\n```\n#7 importing cache manifest from registry7:5000/app:buildcache\n#7 inferred cache manifest type: application/vnd.oci.image.manifest.v1+json done\n#7 DONE 0.1s\n```\n');
    const half = byId(reportChecks(evidence(withImport), IDS))['report.cacheEvidence']!;
    assert.deepEqual([half.status, half.partial], ['fail', 0.5]);
    const claim = read('r.md', 'W logach pojawiły się zapisy CACHED, czyli cache zadziałał.\n');
    const none = byId(reportChecks(evidence(claim), IDS))['report.cacheEvidence']!;
    assert.equal(none.status, 'fail');
    assert.match(none.message, /^Brak dowodu/);
  });

  test('text OCR read from a screenshot counts, and the message says it came from OCR', () => {
    const report = read('r.md', '## Manifest\nWynik inspekcji:\n\n![manifest](zrzuty/manifest.png)\n');
    // Text as tesseract returns it for a terminal screenshot (capital "Linux" included); OCR itself is tested in test/itg/documents.test.ts.
    const ocr = read('r.md:4', 'Name: registry7:5000/s1/app:multiarch\nMediaType: application/vnd.oci.image.index.v1+json\nManifests:\n  Platform: linux/amd64\n  Platform: Linux/arm64\n', 'plain', 'ocr');
    const c = byId(reportChecks(evidence(report, [{ image: report.images[0]!, status: 'read', report: ocr }]), IDS))['report.manifest']!;
    assert.equal(c.status, 'pass', c.message);
    assert.match(c.message, /zrzut ekranu r\.md:4 \(odczyt OCR, wiersz \d\).*pewność jest niższa/);
  });

  test('no report at all: every report check fails with "Brak dowodu"', () => {
    const checks = reportChecks({ files: [], reports: [], unreadable: [], screenshots: [] }, IDS);
    assert.deepEqual(checks.map((c) => c.status), IDS.map(() => 'fail'));
    assert.ok(checks.every((c) => c.message.startsWith('Brak dowodu: w pracy nie ma sprawozdania')));
  });
});
