/** What the report reader found, in Polish for the terminal, and as the `grader read --json` object. Pure. */
import { describeProblem } from '../commands/describe.ts';
import type { CacheImportStatus } from '../results/types.ts';
import type { ImageLocation, ReportCommand, ReportInputError, ReportOutput, SectionPath, StudentReport } from './types.ts';

const FORMAT_PL: Record<StudentReport['format'], string> = { markdown: 'Markdown', plain: 'zwykły tekst' };
const EXTRACTED_PL: Record<NonNullable<StudentReport['extractedFrom']>, string> = { pdf: 'tekst wyodrębniony z PDF', docx: 'tekst wyodrębniony z DOCX', ocr: 'tekst odczytany (OCR) ze zrzutu ekranu' };
const ORIGIN_PL: Record<ReportOutput['origin'], string> = { 'code-block': 'blok kodu', text: 'tekst', 'inline-code': 'kod w tekście' };
const IMPORT_PL: Record<CacheImportStatus, string> = {
  imported: 'zaimportowano',
  'not-found': 'nie znaleziono obrazu cache (typowe przy pierwszym budowaniu)',
  failed: 'błąd importu',
  'not-requested': 'brak (log nie pokazuje importu cache)',
};
const MAX_TEXT = 160;

export function describeInputError(e: ReportInputError): string {
  if (e.code === 'too-large') {
    return `Plik ${e.file} ma ${mib(e.bytes)} MiB — więcej niż ${mib(e.limit)} MiB dozwolone dla sprawozdania. To raczej log lub zrzut danych niż sprawozdanie.`;
  }
  const what = { pdf: 'PDF', zip: 'archiwum ZIP (np. DOCX lub ODT)', binary: 'plik binarny' }[e.looksLike];
  return `Plik ${e.file} nie jest plikiem tekstowym (wygląda na ${what}). Polecenie read czyta sprawozdania w Markdown i zwykłym tekście.`;
}

/** The listing `grader read` prints: sections, commands, pasted output, screenshots, notes. */
export function describeReport(r: StudentReport): string[] {
  const out: string[] = [];
  const source = [FORMAT_PL[r.format], ...(r.extractedFrom ? [EXTRACTED_PL[r.extractedFrom]] : [])].join(', ');
  out.push(`Sprawozdanie: ${r.file} (${source}, wierszy: ${r.lineCount})`);
  out.push(`Akapity: ${r.paragraphs.length}, bloki kodu: ${r.codeBlocks.length}, kod w tekście: ${r.inlineCode.length}.`);

  out.push('', `Sekcje (${r.sections.length}):`);
  if (r.sections.length === 0) out.push('  brak nagłówków');
  for (const s of r.sections) {
    const depth = Math.max(0, s.path.length - 1);
    out.push(`  w. ${s.line}  ${'  '.repeat(depth)}${clean(s.title)}${s.level === null ? '  (wiersz wyglądający na nagłówek)' : ''}`);
  }

  out.push('', `Polecenia (${r.commands.length}):`);
  if (r.commands.length === 0) out.push('  nie znaleziono poleceń');
  for (const c of r.commands) out.push(...describeCommand(c));

  out.push('', `Wklejone wyjścia programów (${r.outputs.length}) — to deklaracje studenta${r.confidence === 'ocr' ? ' odczytane przez OCR' : ''}, nie wynik odtworzenia:`);
  if (r.outputs.length === 0) out.push('  nie znaleziono wklejonych wyjść');
  for (const o of r.outputs) out.push(...describeOutput(o, r.commands));

  out.push('', `Zrzuty ekranu (${r.images.length}):`);
  if (r.images.length === 0) out.push('  brak obrazów');
  for (const i of r.images) out.push(`  w. ${i.line}  ${describeLocation(i.location, i.src)}${where(i.section)}`);

  if (r.notes.length) {
    out.push('', `Uwagi (${r.notes.length}):`);
    for (const n of r.notes) {
      const what = n.code === 'chatbot-text' ? 'tekst wygląda na skopiowany z czatbota' : 'blok kodu nie jest zamknięty — reszta sprawozdania jest czytana jako kod';
      out.push(`  w. ${n.line}  ${what}: „${clean(n.text)}”`);
    }
  }
  return out;
}

function describeCommand(c: ReportCommand): string[] {
  const origin = c.origin === 'code-block' ? 'blok kodu' : 'tekst';
  const lines = [`  w. ${c.line}  ${clean(c.parsed.text)}`, `         [${origin}${c.section.length ? `; ${path(c.section)}` : ''}]`];
  const b = c.parsed.build;
  if (b) {
    const parts = [
      `platformy: ${b.platforms.length ? b.platforms.join(', ') : 'nie podano'}`,
      ...(b.tags.length ? [`obrazy: ${b.tags.join(', ')}`] : []),
      ...(b.builder ? [`builder: ${b.builder}`] : []),
      ...b.cacheTo.map((e) => `--cache-to ${e.text}`),
      ...b.cacheFrom.map((e) => `--cache-from ${e.text}`),
      ...(b.pushes ? ['wysyła obraz do rejestru'] : []),
      ...(b.outputs.some((o) => o.via === 'load') ? ['--load'] : []),
      ...(b.quiet ? ['-q: nie wypisuje logu budowania'] : []),
      ...(b.context ? [`kontekst: ${b.context.text}${b.context.kind === 'git' ? ' (repozytorium git)' : ''}`] : []),
    ];
    lines.push(`         budowanie: ${clean(parts.join('; '), 400)}`);
  }
  const cr = c.parsed.create;
  if (cr) lines.push(`         builder: ${clean(cr.name ?? '(nazwa nadana przez buildx)')}, sterownik ${clean(cr.driver ?? 'docker-container (domyślny)')}${cr.use ? ', --use' : ''}`);
  if (c.parsed.use) lines.push(`         wybiera builder: ${clean(c.parsed.use.name ?? '(brak nazwy)')}`);
  for (const p of c.parsed.problems) lines.push(`         uwaga: ${describeProblem(p)}`);
  if (c.placeholders.length) lines.push(`         szablon zamiast prawdziwych wartości: ${clean(c.placeholders.join(', '))}`);
  return lines;
}

function describeOutput(o: ReportOutput, commands: readonly ReportCommand[]): string[] {
  const range = o.endLine > o.line ? `w. ${o.line}–${o.endLine}` : `w. ${o.line}`;
  const after = o.after !== null && commands[o.after] ? `, po poleceniu z w. ${commands[o.after]!.line}` : '';
  const head = (title: string) => `  ${range}  ${title} [${ORIGIN_PL[o.origin]}${after}${o.section.length ? `; ${path(o.section)}` : ''}]`;
  const detail = (s: string) => `         ${s}`;
  switch (o.kind) {
    case 'build-log': {
      const l = o.log;
      const lines = [head(`log budowania (format ${l.format})`)];
      if (l.builder) lines.push(detail(`builder „${clean(l.builder.name)}”, sterownik ${clean(l.builder.driver)}${at(l.builder.line)}`));
      const ref = l.cacheImport.ref ? ` z ${clean(l.cacheImport.ref)}${l.cacheImport.refCut ? '… (ucięte)' : ''}` : '';
      lines.push(detail(`import cache${l.cacheImport.status === 'not-requested' ? '' : ref}: ${IMPORT_PL[l.cacheImport.status]}${at(l.cacheImport.line)}`));
      const exported = l.cacheExport.exported
        ? `wyeksportowano${l.cacheExport.manifestDigest ? `, manifest ${short(l.cacheExport.manifestDigest)}` : ''}`
        : l.cacheExport.attempted ? `rozpoczęty, bez zapisanego manifestu${l.cacheExport.error ? ` (błąd: ${clean(l.cacheExport.error)})` : ''}` : 'brak';
      lines.push(detail(`eksport cache: ${exported}${at(l.cacheExport.line)}`));
      if (l.platforms.length) lines.push(detail(`CACHED: ${l.platforms.map((p) => `${p.platform} ${p.cached}/${p.total}`).join(', ')}`));
      if (l.error) lines.push(detail(`budowanie nie powiodło się: ${clean(l.error.message)}${at(l.error.line)}`));
      if (l.manifestList) lines.push(detail(`indeks obrazu: ${short(l.manifestList)}`));
      if (l.edits.length) {
        const gaps = l.edits.filter((e) => e.kind === 'gap').map((e) => e.line);
        const notes = l.edits.filter((e) => e.kind === 'annotation').map((e) => e.line);
        lines.push(detail(`ślady ręcznej edycji:${gaps.length ? ` pominięte wiersze (w. ${gaps.join(', ')})` : ''}${notes.length ? ` dopiski (w. ${notes.join(', ')})` : ''}`));
      }
      return lines;
    }
    case 'manifest': {
      const m = o.manifest;
      const lines = [head(`manifest (${m.form === 'imagetools' ? 'docker buildx imagetools inspect' : 'JSON'})`)];
      lines.push(detail(`platformy: ${m.platforms.length ? m.platforms.join(', ') : 'nie pokazano'}`));
      if (m.mediaType) lines.push(detail(`typ: ${clean(m.mediaType)}`));
      if (m.name) lines.push(detail(`nazwa: ${clean(m.name)}`));
      if (m.digest) lines.push(detail(`digest: ${m.digest}`));
      if (m.buildkitCache) lines.push(detail('to manifest obrazu cache BuildKit'));
      if (m.validJson === false) lines.push(detail('JSON niepełny lub zmieniony ręcznie (platformy odczytano z tekstu)'));
      return lines;
    }
    case 'registry': {
      const g = o.registry;
      const lines = [head('odpowiedź rejestru')];
      for (const r of g.requests) lines.push(detail(`żądanie ${r.method} ${clean(r.path)} (w. ${r.line})`));
      for (const s of g.statuses) lines.push(detail(`HTTP ${s.code}${s.text ? ` ${clean(s.text)}` : ''} (w. ${s.line})`));
      for (const d of g.digests) lines.push(detail(`Docker-Content-Digest: ${d.digest} (w. ${d.line})`));
      for (const e of g.errorCodes) lines.push(detail(`kod błędu rejestru: ${e.code} (w. ${e.line})`));
      for (const t of g.tagLists) lines.push(detail(`tagi ${clean(t.name)}: ${t.tags === null ? 'brak (null)' : t.tags.length ? clean(t.tags.join(', ')) : 'brak'} (w. ${t.line})`));
      for (const c of g.repositories) lines.push(detail(`repozytoria: ${c.names.length ? clean(c.names.join(', ')) : 'brak'} (w. ${c.line})`));
      return lines;
    }
    case 'gc': {
      const g = o.gc;
      return [
        head('wynik registry garbage-collect'),
        detail(`oznaczone manifesty: ${g.markedManifests}, bloby do usunięcia: ${g.eligibleBlobs}, usunięte bloby: ${g.deletedBlobs}`),
        ...(g.summary.line ? [detail(`podsumowanie: „${clean(g.summary.line)}”${at(g.summaryLine)}`)] : []),
        ...g.summary.errors.slice(0, 3).map((e) => detail(`błąd: ${clean(e)}`)),
      ];
    }
    case 'builders':
      return [head('lista builderów'), ...o.builders.map((b) => detail(`${clean(b.name)}: ${clean(b.driver ?? 'sterownik nieznany')}${b.current ? ', wybrany' : ''} (w. ${b.line})`))];
    case 'containers':
      return [head('lista kontenerów'), ...o.containers.map((c) => detail(`${clean(c.names)} z obrazu ${clean(c.image)} (w. ${c.line})`))];
    case 'digest':
      return [head('sam digest (docker buildx build -q nie wypisuje logu)'), detail(o.digest)];
    case 'other':
      return [head('inne wyjście'), ...o.excerpt.slice(0, 2).map((e) => detail(`„${clean(e.text)}”`))];
  }
}

function describeLocation(l: ImageLocation, src: string): string {
  switch (l.kind) {
    case 'remote': return `${l.githubAttachment ? 'zdalny (załącznik GitHub)' : 'zdalny'}${l.https ? '' : ', bez HTTPS'}: ${clean(l.url)}`;
    case 'local': return `${l.outside ? 'lokalny, poza repozytorium' : 'lokalny'}: ${clean(l.path)}`;
    case 'data': return `osadzony w tekście (${clean(l.mediaType || 'typ nieznany')})`;
    case 'unsupported': return l.reason === 'empty' ? 'pusty adres obrazu' : `nieobsługiwany adres: ${clean(src)}`;
  }
}

/** The `--json` object: everything except paragraph and code block text, which stay in the file. */
export function reportJson(r: StudentReport) {
  return {
    file: r.file,
    format: r.format,
    extractedFrom: r.extractedFrom,
    confidence: r.confidence,
    lineCount: r.lineCount,
    sections: r.sections.map((s) => ({ line: s.line, level: s.level, title: s.title, path: s.path })),
    commands: r.commands.map((c) => ({
      file: c.file,
      line: c.line,
      origin: c.origin,
      section: c.section,
      text: c.parsed.text,
      kind: c.parsed.kind,
      argv: c.parsed.argv,
      build: c.parsed.build ?? null,
      create: c.parsed.create ?? null,
      use: c.parsed.use ?? null,
      problems: c.parsed.problems.map((p) => ({ ...p, message: describeProblem(p) })),
      placeholders: c.placeholders,
    })),
    outputs: r.outputs,
    images: r.images.map((i) => ({ file: i.file, line: i.line, alt: i.alt, src: i.src, via: i.via, location: i.location, section: i.section })),
    codeBlocks: r.codeBlocks.map((b) => ({ line: b.line, endLine: b.endLine, info: b.info, fenced: b.fenced, closed: b.closed, section: b.section })),
    inlineCode: r.inlineCode.length,
    paragraphs: r.paragraphs.length,
    notes: r.notes,
  };
}

function where(section: SectionPath): string {
  return section.length ? `  [${path(section)}]` : '';
}

function path(section: SectionPath): string {
  return clean(section.join(' › '));
}

function at(line: number | null): string {
  return line === null ? '' : ` (w. ${line})`;
}

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace('.', ',');
}

/** Student text on one terminal line: tabs as spaces, other control characters as `?`, long text cut. */
function clean(text: string, max = MAX_TEXT): string {
  const one = text.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f\u2028\u2029]/g, '?');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
