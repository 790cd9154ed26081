/**
 * Check `bonus.registry7.delete`: builds the CheckResult from what the deletion flows
 * observed (grader/bonus/delete-flow.ts, grader/bonus/sandbox.ts). Pure: no I/O.
 */
import { DOCS } from './docs.ts';
import { explain, singleTagRecipe, type Explanation, type ExplainContext, type FindingKey } from '../bonus/explain.ts';
import { formatBytes } from '../bonus/format.ts';
import { judgeDeleteFlow, judgeScript, type BonusStatus, type RegistryOwner, type Verdict } from '../bonus/judge.ts';
import type { DeleteFlowOutcome, HttpStep, ScriptOutcome } from '../bonus/types.ts';
import type { CheckResult, DocLink, Evidence } from '../results/types.ts';

export interface BonusCheckInput {
  /** The grader's own deletion test in registry7. */
  flow: DeleteFlowOutcome;
  /** Who runs the registry the flow ran against (default: the grader's registry7). */
  owner?: RegistryOwner;
  /** The student's deletion script run in the sandbox, when submission.json names one. */
  script?: ScriptOutcome;
}

const STATUS_ORDER: Record<BonusStatus, number> = { pass: 0, fail: 1, error: 2 };

export function buildRegistry7DeleteCheck(input: BonusCheckInput): CheckResult {
  const flowVerdict = judgeDeleteFlow(input.flow, input.owner ?? 'grader');
  const scriptVerdict = input.script ? judgeScript(input.script) : undefined;
  // An error (not gradable) wins over a failure, which wins over a pass.
  const status = [flowVerdict.status, scriptVerdict?.status ?? 'pass'].reduce((a, b) => (STATUS_ORDER[b] > STATUS_ORDER[a] ? b : a));

  const ctx = contextOf(input.flow);
  const explanations = unique([...flowVerdict.findings, ...(scriptVerdict?.findings ?? [])]).map((k) =>
    explain(k, { ...ctx, sharedTags: input.flow.sharedTags }),
  );
  const evidence: Evidence[] = [
    ...flowEvidence(input.flow, flowVerdict, 'Test usuwania w registry7'),
    ...(input.script && scriptVerdict ? scriptEvidence(input.script, scriptVerdict) : []),
    notesEvidence(input.flow, ctx),
  ];
  const result: CheckResult = {
    id: 'bonus.registry7.delete',
    status,
    message: messageOf(status, flowVerdict, input.script, scriptVerdict),
    docs: docsOf(explanations),
    evidence,
    metrics: metricsOf(input.flow, flowVerdict, input.script, scriptVerdict),
  };
  if (status !== 'pass' && explanations.length) {
    result.hint = explanations.map((e) => `${e.cause}\n${e.fix}`).join('\n\n');
  }
  return result;
}

function contextOf(flow: DeleteFlowOutcome): ExplainContext {
  return { registry: flow.registry, repository: flow.repository, tag: flow.cacheTag };
}

function messageOf(status: BonusStatus, flow: Verdict, script: ScriptOutcome | undefined, scriptVerdict: Verdict | undefined): string {
  const freed = flow.bytesFreed !== undefined ? ` GC zwolnił ${formatBytes(flow.bytesFreed)}.` : '';
  const scriptPart = !script || !scriptVerdict
    ? ''
    : scriptVerdict.status === 'pass'
      ? ` Skrypt studenta (${script.script}) usunął cache w kopii rejestru; po GC zwolniono ${formatBytes(scriptVerdict.bytesFreed ?? 0)}.`
      : scriptVerdict.status === 'error'
        ? ` Nie udało się ocenić skryptu studenta (${script.script}) z powodu awarii środowiska.`
        : script.invalid
          ? ` ${script.invalid}`
          : ` Skrypt studenta (${script.script}) nie usunął poprawnie obrazu cache${script.timedOut ? ' (przerwany po przekroczeniu limitu czasu)' : ''}.`;
  if (status === 'pass') {
    return `Obraz cache usunięto po digeście (202), tag cache odpowiada 404, obraz aplikacji jest nienaruszony.${freed}${scriptPart}`;
  }
  if (status === 'error') {
    return `Nie można ocenić usuwania obrazów z registry7 z powodu awarii środowiska; wynik do ponownej oceny.${scriptPart}`;
  }
  if (flow.status !== 'pass') return `Usunięcie obrazu cache z registry7 nie powiodło się.${scriptPart}`;
  return `Usuwanie działa w registry7, ale:${scriptPart}`;
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
  const out: Evidence[] = [
    {
      kind: 'text',
      title: 'Skrypt studenta w piaskownicy',
      text:
        `Skrypt ${s.script} uruchomiono w obrazie ${s.image} (sieć wewnętrzna z kopią registry7, bez gniazda Dockera, ` +
        `limit ${Math.round(s.timeLimitMs / 1000)} s). Kod wyjścia: ${s.exitCode ?? 'brak'}` +
        `${s.timedOut ? ', przerwany po przekroczeniu limitu czasu (docker kill)' : ''}; czas: ${(s.durationMs / 1000).toFixed(1).replace('.', ',')} s.` +
        (s.invalid ? `\nSkryptu nie uruchomiono: ${s.invalid}` : '') +
        (s.infraError ? `\nAwaria środowiska: ${s.infraError}` : ''),
    },
  ];
  if (s.output) {
    out.push({ kind: 'log', title: 'Skrypt studenta: wyjście (koniec)', lines: s.output.split('\n').map((text, i) => ({ n: i + 1, text, ...(s.blockedConnections.includes(text) ? { highlight: true } : {}) })) });
  }
  if (s.blockedConnections.length) {
    out.push({
      kind: 'text',
      title: 'Skrypt studenta: zablokowane połączenia',
      text:
        'Skrypt próbował połączyć się z adresem innym niż registry7; piaskownica na to nie pozwala:\n' +
        s.blockedConnections.join('\n'),
    });
  }
  if (s.verification) out.push(...flowEvidence(s.verification, v, 'Kopia registry7 po skrypcie'));
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

function metricsOf(flow: DeleteFlowOutcome, fv: Verdict, script: ScriptOutcome | undefined, sv: Verdict | undefined): Record<string, number | string> {
  const m: Record<string, number | string> = {};
  if (flow.deleteStatus != null) m.deleteStatus = flow.deleteStatus;
  if (flow.cacheStatusAfter != null) m.cacheStatusAfter = flow.cacheStatusAfter;
  if (flow.bytesBefore !== undefined) m.bytesBefore = flow.bytesBefore;
  if (flow.bytesAfterDelete !== undefined) m.bytesAfterDelete = flow.bytesAfterDelete;
  if (flow.bytesAfterGc !== undefined) m.bytesAfterGc = flow.bytesAfterGc;
  if (fv.bytesFreed !== undefined) m.bytesFreed = fv.bytesFreed;
  if (script && sv) {
    m.scriptStatus = sv.status;
    if (script.exitCode !== null) m.scriptExitCode = script.exitCode;
    if (sv.bytesFreed !== undefined) m.scriptBytesFreed = sv.bytesFreed;
    m.scriptBlockedConnections = script.blockedConnections.length;
  }
  return m;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export type { FindingKey };
