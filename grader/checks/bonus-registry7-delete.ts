/**
 * Check `bonus.registry7.delete`: builds the CheckResult from what the deletion flows
 * observed (grader/bonus/delete-flow.ts, grader/bonus/sandbox.ts). Pure: no I/O.
 */
import { DOCS } from './docs.ts';
import { explain, singleTagRecipe, type Explanation, type ExplainContext, type FindingKey } from '../bonus/explain.ts';
import { formatBytes } from '../bonus/format.ts';
import { judgeDeleteFlow, judgeScript, type Verdict } from '../bonus/judge.ts';
import type { DeleteFlowOutcome, HttpStep, ScriptOutcome } from '../bonus/types.ts';
import type { CheckResult, DocLink, Evidence } from '../results/types.ts';

export interface BonusCheckInput {
  /** The grader's own deletion in its registry7: the model answer shown beside the student's, worth no points. */
  reference: DeleteFlowOutcome;
  /** The student's deletion script (or their report's commands) run in the sandbox; absent when the student gave no answer. */
  script?: ScriptOutcome;
  /** The report has a deletion answer the sandbox could not run (report-answer.ts). */
  unreplayable?: { label: string; status: 'fail' | 'manual'; reason: string; notes: string[] };
}

export const NO_ANSWER_MESSAGE =
  'Brak odpowiedzi: praca nie zawiera skryptu usuwającego obraz cache (bonus.deleteScript w submission.json) ani poleceń usuwania (curl -X DELETE) w sprawozdaniu, więc zadanie dodatkowe nie dostaje punktów. Wzorcowe usuwanie wykonane przez grader jest w raporcie tylko dla porównania.';

/** Points come from the student's script alone; the grader's own deletion is context ("tak to powinno wyglądać"). */
export function buildRegistry7DeleteCheck(input: BonusCheckInput): CheckResult {
  const referenceVerdict = judgeDeleteFlow(input.reference, 'grader');
  const ctx = contextOf(input.reference);
  const referenceEvidence = [
    ...flowEvidence(input.reference, referenceVerdict, REFERENCE_TITLE),
    referenceNote(referenceVerdict),
    notesEvidence(input.reference, ctx),
  ];
  if (!input.script && input.unreplayable) {
    const u = input.unreplayable;
    return {
      id: 'bonus.registry7.delete',
      status: u.status,
      message: `Polecenia usuwania ze sprawozdania (${u.label}) nie zostały uruchomione: ${u.reason}.`,
      ...(u.status === 'fail' ? { hint: 'Pokaż w sprawozdaniu, skąd bierzesz digest: HEAD manifestu cache z nagłówkiem Accept (curl -sI -H "Accept: application/vnd.oci.image.manifest.v1+json" …/manifests/<tag>), a potem curl -X DELETE …/manifests/<digest z nagłówka Docker-Content-Digest>.' } : {}),
      docs: [DOCS.deleteApi, DOCS.garbageCollection, DOCS.deleteConfig],
      evidence: [...(u.notes.length ? [{ kind: 'text' as const, title: 'Polecenia ze sprawozdania: co grader z nimi zrobił', text: u.notes.join('\n') }] : []), ...referenceEvidence],
      metrics: { answer: 'sprawozdanie', ...referenceMetrics(input.reference, referenceVerdict) },
    };
  }
  if (!input.script) {
    return {
      id: 'bonus.registry7.delete',
      status: 'fail',
      message: NO_ANSWER_MESSAGE,
      hint: 'Dodaj skrypt, który usuwa obraz cache z registry7 (HEAD z nagłówkiem Accept po digest, DELETE po digeście), i wskaż go w submission.json: "bonus": { "deleteScript": "delete-cache.sh" }. Grader uruchomi go w piaskownicy na kopii registry7 z Twoim obrazem i cache.',
      docs: [DOCS.deleteApi, DOCS.garbageCollection, DOCS.deleteConfig],
      evidence: referenceEvidence,
      metrics: { answer: 'brak', ...referenceMetrics(input.reference, referenceVerdict) },
    };
  }
  const verdict = judgeScript(input.script);
  const explanations = unique(verdict.findings).map((k) => explain(k, { ...ctx, sharedTags: input.reference.sharedTags }));
  const result: CheckResult = {
    id: 'bonus.registry7.delete',
    status: verdict.status,
    message: messageOf(input.script, verdict),
    docs: docsOf(explanations),
    evidence: [...scriptEvidence(input.script, verdict), ...referenceEvidence],
    metrics: { ...scriptMetrics(input.script, verdict), ...referenceMetrics(input.reference, referenceVerdict) },
  };
  if (verdict.status !== 'pass' && explanations.length) {
    result.hint = explanations.map((e) => `${e.cause}\n${e.fix}`).join('\n\n');
  }
  return result;
}

const REFERENCE_TITLE = 'Wzorcowe usuwanie (grader, bez punktów)';

function contextOf(flow: DeleteFlowOutcome): ExplainContext {
  return { registry: flow.registry, repository: flow.repository, tag: flow.cacheTag };
}

function messageOf(script: ScriptOutcome, v: Verdict): string {
  const report = script.fromReport !== undefined;
  const who = report ? `Polecenia usuwania ze sprawozdania (${script.script})` : `Skrypt studenta (${script.script})`;
  if (v.status === 'pass') {
    return `${who} ${report ? 'usunęły' : 'usunął'} obraz cache w kopii registry7: tag cache odpowiada 404 i zniknął z listy tagów, obraz aplikacji jest nienaruszony, po garbage-collect zwolniono ${formatBytes(v.bytesFreed ?? 0)}.`;
  }
  if (v.status === 'error') return `Nie udało się ocenić ${report ? `poleceń usuwania ze sprawozdania (${script.script})` : `skryptu studenta (${script.script})`} z powodu awarii środowiska; wynik do ponownej oceny.`;
  if (script.invalid) return script.invalid;
  return `${who} nie ${report ? 'usunęły' : 'usunął'} poprawnie obrazu cache${script.timedOut ? ` (${report ? 'przerwane' : 'przerwany'} po przekroczeniu limitu czasu)` : ''}.`;
}

/** Says whether the model answer itself worked, so a failed reference is never read as the student's. */
function referenceNote(v: Verdict): Evidence {
  const text = v.status === 'pass'
    ? 'Grader wykonał w swoim registry7 wzorcowe usuwanie: HEAD po digest, DELETE po digeście (202), garbage-collect. Tak powinna wyglądać odpowiedź; ten przebieg nie daje punktów.'
    : v.status === 'error'
      ? 'Wzorcowego usuwania w registry7 gradera nie udało się wykonać (awaria środowiska). Nie wpływa to na ocenę skryptu studenta.'
      : 'Wzorcowe usuwanie w registry7 gradera nie powiodło się; nie wpływa to na ocenę skryptu studenta.';
  return { kind: 'text', title: REFERENCE_TITLE, text };
}

function docsOf(explanations: Explanation[]): DocLink[] {
  const all: DocLink[] = [DOCS.deleteApi, DOCS.garbageCollection, DOCS.deleteConfig, ...explanations.flatMap((e) => e.docs)];
  return all.filter((d, i) => all.findIndex((x) => x.url === d.url) === i);
}

function httpEvidence(step: HttpStep): Evidence {
  const detail = [step.errorCode, step.detail].filter(Boolean).join(': ');
  return { kind: 'http', title: step.title, method: step.method, url: step.url, status: step.status, ...(detail ? { detail } : {}) };
}

function flowEvidence(o: DeleteFlowOutcome, v: Verdict, prefix: string): Evidence[] {
  const out: Evidence[] = o.steps.map((s) => httpEvidence({ ...s, title: `${prefix}: ${s.title}` }));
  if (o.gc) {
    const s = o.gc.summary;
    const lines = [
      `$ ${o.gc.argv.join(' ')}`,
      `kod wyjścia: ${o.gc.exitCode ?? 'brak (przerwano)'}, czas: ${(o.gc.durationMs / 1000).toFixed(1).replace('.', ',')} s`,
      s.line ?? 'brak linii podsumowania w wyjściu GC',
      `usunięte bloby („Deleting blob”): ${s.blobsDeleted}`,
      ...s.errors.slice(0, 5),
    ];
    out.push({ kind: 'log', title: `${prefix}: garbage-collect (podsumowanie)`, lines: lines.map((text, i) => ({ n: i + 1, text, ...(i === 2 && s.line ? { highlight: true } : {}) })) });
  }
  const rows: string[][] = [];
  if (o.bytesBefore !== undefined) rows.push(['przed usunięciem', formatBytes(o.bytesBefore)]);
  if (o.bytesAfterDelete !== undefined) rows.push(['po DELETE, przed GC', formatBytes(o.bytesAfterDelete)]);
  if (o.bytesAfterGc !== undefined) rows.push(['po garbage-collect', formatBytes(o.bytesAfterGc)]);
  if (v.bytesFreed !== undefined) rows.push(['zwolniono łącznie', formatBytes(v.bytesFreed)]);
  if (rows.length) out.push({ kind: 'table', title: `${prefix}: rozmiar danych rejestru`, columns: ['Moment', 'Rozmiar'], rows });
  return out;
}

function scriptEvidence(s: ScriptOutcome, v: Verdict): Evidence[] {
  const report = s.fromReport;
  const out: Evidence[] = [
    {
      kind: 'text',
      title: report ? 'Polecenia ze sprawozdania w piaskownicy' : 'Skrypt studenta w piaskownicy',
      text:
        `${report ? `Polecenia usuwania ze sprawozdania (${s.script}), przepisane na kopię registry7, uruchomiono` : `Skrypt ${s.script} uruchomiono`} w obrazie ${s.image} (sieć wewnętrzna z kopią registry7, bez gniazda Dockera, ` +
        `limit ${Math.round(s.timeLimitMs / 1000)} s). ${s.registryDelete.basis} Kod wyjścia: ${s.exitCode ?? 'brak'}` +
        `${s.timedOut ? ', przerwany po przekroczeniu limitu czasu (docker kill)' : ''}; czas: ${(s.durationMs / 1000).toFixed(1).replace('.', ',')} s. ` +
        (s.gcBy
          ? `Garbage-collect z odpowiedzi studenta (${s.gcBy}) grader uruchomił na kopii registry7, bo piaskownica nie ma dostępu do Dockera.`
          : 'Odpowiedź nie uruchamia registry garbage-collect, więc grader go nie uruchomił: warstwy usuniętego cache zostały na dysku.') +
        (s.invalid ? `\nSkryptu nie uruchomiono: ${s.invalid}` : '') +
        (s.infraError ? `\nAwaria środowiska: ${s.infraError}` : ''),
    },
  ];
  if (report) {
    out.push({ kind: 'log', title: 'Polecenia ze sprawozdania: uruchomiony skrypt', lines: report.text.trimEnd().split('\n').map((text, i) => ({ n: i + 1, text })) });
    if (report.notes.length) out.push({ kind: 'text', title: 'Polecenia ze sprawozdania: co grader zmienił', text: report.notes.join('\n') });
  }
  if (s.output) {
    out.push({ kind: 'log', title: report ? 'Polecenia ze sprawozdania: wyjście (koniec)' : 'Skrypt studenta: wyjście (koniec)', lines: s.output.split('\n').map((text, i) => ({ n: i + 1, text, ...(s.blockedConnections.includes(text) ? { highlight: true } : {}) })) });
  }
  if (s.blockedConnections.length) {
    out.push({
      kind: 'text',
      title: report ? 'Polecenia ze sprawozdania: zablokowane połączenia' : 'Skrypt studenta: zablokowane połączenia',
      text:
        `${report ? 'Polecenia próbowały' : 'Skrypt próbował'} połączyć się z adresem innym niż registry7; piaskownica na to nie pozwala:\n` +
        s.blockedConnections.join('\n'),
    });
  }
  if (s.verification) out.push(...flowEvidence(s.verification, v, report ? 'Kopia registry7 po poleceniach ze sprawozdania' : 'Kopia registry7 po skrypcie'));
  return out;
}

/** What the lab expects to be said about deletion, shown whatever the outcome. */
function notesEvidence(flow: DeleteFlowOutcome, ctx: ExplainContext): Evidence {
  const shared = explain('shared-tags', { ...ctx, sharedTags: flow.sharedTags });
  const space = explain('space-not-freed', ctx);
  return {
    kind: 'text',
    title: 'Jak usuwać obrazy z rejestru registry:2',
    text: [
      '1. Usuwanie musi być włączone: REGISTRY_STORAGE_DELETE_ENABLED=true (bez tego DELETE daje 405 UNSUPPORTED).',
      '2. Usuwa się po digeście, nie po tagu (po tagu: 400 DIGEST_INVALID); digest podaje nagłówek Docker-Content-Digest.',
      `3. ${space.cause} ${space.fix}`,
      `4. ${shared.cause}`,
      'Usunięcie tylko jednego tagu:',
      singleTagRecipe(ctx),
    ].join('\n'),
  };
}

function scriptMetrics(script: ScriptOutcome, v: Verdict): Record<string, number | string> {
  const m: Record<string, number | string> = { answer: script.fromReport ? 'sprawozdanie' : 'skrypt', scriptStatus: v.status, scriptBlockedConnections: script.blockedConnections.length };
  if (script.exitCode !== null) m.scriptExitCode = script.exitCode;
  const o = script.verification;
  if (o?.deleteStatus != null) m.deleteStatus = o.deleteStatus;
  if (o?.cacheStatusAfter != null) m.cacheStatusAfter = o.cacheStatusAfter;
  if (v.bytesFreed !== undefined) m.bytesFreed = v.bytesFreed;
  return m;
}

function referenceMetrics(flow: DeleteFlowOutcome, v: Verdict): Record<string, number | string> {
  const m: Record<string, number | string> = { referenceStatus: v.status };
  if (flow.deleteStatus != null) m.referenceDeleteStatus = flow.deleteStatus;
  if (v.bytesFreed !== undefined) m.referenceBytesFreed = v.bytesFreed;
  return m;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export type { FindingKey };
