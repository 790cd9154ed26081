/**
 * report.bonus: the report answers "how do I delete the cache image from registry7" with the four
 * parts that make it work: delete enabled in registry7, the digest read with an Accept header the
 * cache's media type matches, DELETE by digest (a tag is refused), and garbage collection to free
 * the space. A quarter of the points per part. Pure.
 */
import { registryRequestOf, toolDeletionOf } from '../../commands/http.ts';
import type { ParsedCommand } from '../../commands/types.ts';
import type { CheckResult } from '../../results/types.ts';
import { DOCS } from '../docs.ts';
import { commandEvidence, commandsOf, noReport, ocrNote, outputsOf, where, type Found, type ReportEvidence } from './common.ts';
import { registryRun } from './registry.ts';

const ID = 'report.bonus';
/** Media types a cache or image manifest is served as; BuildKit >= 0.21 stores a cache as an OCI image manifest. */
const MANIFEST_TYPES = /application\/vnd\.(?:oci\.image\.(?:index|manifest)\.v1\+json|docker\.distribution\.manifest\.(?:list\.)?v2\+json)/;
const DIGEST_OR_VARIABLE = /^(?:sha256:[a-f0-9]{64}|\$\{?\w+\}?|"?\$\{?\w+\}?"?)$/;

const manifestRequest = (c: ParsedCommand) => {
  const r = registryRequestOf(c);
  return r?.manifest ? { method: r.method, reference: r.manifest.reference } : null;
};

export function reportBonusCheck(e: ReportEvidence): CheckResult {
  const none = noReport(ID, e);
  if (none) return none;
  const commands = commandsOf(e);
  const tools = commands.filter((c) => toolDeletionOf(c.item) !== null);
  const deletes = [...commands.filter((c) => manifestRequest(c.item)?.method === 'DELETE'), ...tools];
  if (deletes.length === 0) {
    return {
      id: ID,
      status: 'fail',
      message: 'Brak odpowiedzi: sprawozdanie nie pokazuje usunięcia obrazu cache z registry7 (żądania DELETE do /v2/<repozytorium>/manifests/<digest>).',
      hint: 'Opisz w sprawozdaniu: registry7 z REGISTRY_STORAGE_DELETE_ENABLED=true, digest z nagłówka Docker-Content-Digest (curl -I z Accept: application/vnd.oci.image.manifest.v1+json), curl -X DELETE …/manifests/<digest>, potem registry garbage-collect.',
      docs: [DOCS.deleteApi],
      evidence: [],
    };
  }
  const parts: { name: string; found: Found<ParsedCommand>[]; missing: string }[] = [];
  const enabled = commands.filter((c) => registryRun(c.item)?.deleteEnabled || /REGISTRY_STORAGE_DELETE_ENABLED=true/i.test(c.item.text));
  parts.push({ name: 'usuwanie włączone w registry7', found: enabled, missing: 'nie widać włączenia usuwania (REGISTRY_STORAGE_DELETE_ENABLED=true); bez niego rejestr odpowiada 405' });
  // skopeo and regctl read the digest themselves, with every manifest type accepted.
  const digestReads = [
    ...commands.filter((c) => (manifestRequest(c.item)?.method ?? 'DELETE') !== 'DELETE' && MANIFEST_TYPES.test(c.item.text) && /accept/i.test(c.item.text)),
    ...tools.filter((c) => toolDeletionOf(c.item)!.tool !== 'crane delete'),
  ];
  parts.push({ name: 'digest odczytany z nagłówkiem Accept', found: digestReads, missing: 'nie widać odczytu digestu z nagłówkiem Accept typu manifestu (bez niego rejestr podaje digest innego manifestu albo 404)' });
  const byDigest = deletes.filter((c) => {
    const tool = toolDeletionOf(c.item);
    return tool ? tool.byDigest : DIGEST_OR_VARIABLE.test(manifestRequest(c.item)!.reference);
  });
  parts.push({ name: 'DELETE po digeście', found: byDigest, missing: 'DELETE wskazuje tag zamiast digestu (rejestr odrzuca usuwanie po tagu)' });
  const gc = commands.filter((c) => c.item.argv.includes('garbage-collect'));
  const gcOutputs = outputsOf(e, 'gc');
  parts.push({ name: 'garbage collection', found: gc, missing: 'brak registry garbage-collect, więc miejsce na dysku nie zostaje zwolnione' });

  const done = parts.filter((p) => p.found.length > 0);
  const statuses = outputsOf(e, 'registry').flatMap((r) => r.item.registry.statuses.map((s) => `${s.code} (${where(r.report, s.line)})`));
  const evidence = [
    commandEvidence('Polecenia usuwania w sprawozdaniu', [...enabled, ...digestReads, ...deletes, ...gc].filter((f, i, all) => all.indexOf(f) === i)),
    ...(statuses.length || gcOutputs.length ? [{ kind: 'text' as const, title: 'Odpowiedzi rejestru w sprawozdaniu', text: [statuses.length ? `kody HTTP: ${statuses.join(', ')}` : '', ...gcOutputs.map((g) => `garbage-collect: ${g.item.gc.deletedBlobs} usuniętych blobów (${where(g.report, g.item.line)})`)].filter(Boolean).join('\n') }] : []),
  ];
  const missing = parts.filter((p) => p.found.length === 0);
  if (missing.length === 0) {
    return {
      id: ID,
      status: 'pass',
      message: `Odpowiedź w sprawozdaniu ma wszystkie części: ${parts.map((p) => `${p.name} (${where(p.found[0]!.report, p.found[0]!.item.source.line)})`).join('; ')}.${ocrNote(done.flatMap((p) => p.found))}`,
      evidence,
    };
  }
  return {
    id: ID,
    status: 'fail',
    partial: done.length / parts.length,
    message: `Odpowiedź w sprawozdaniu jest niepełna: ${missing.map((p) => p.missing).join('; ')}.`,
    hint: 'Pełna odpowiedź: registry7 z REGISTRY_STORAGE_DELETE_ENABLED=true; digest: curl -I -H "Accept: application/vnd.oci.image.manifest.v1+json" …/manifests/buildcache (nagłówek Docker-Content-Digest); curl -X DELETE …/manifests/<digest>; docker exec registry7 bin/registry garbage-collect /etc/docker/registry/config.yml.',
    docs: [DOCS.deleteApi, DOCS.garbageCollection],
    evidence,
  };
}
