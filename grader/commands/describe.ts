/** Polish sentences for command problems, for the report. Student text is quoted with control characters escaped. */
import type { CommandProblem, SourceRef } from './types.ts';

export function describeProblem(p: CommandProblem): string {
  const t = quote(p.text);
  switch (p.code) {
    case 'unterminated-quote': return `niezamknięty cudzysłów: ${t}`;
    case 'continuation-trailing-space': return 'po znaku „\\” na końcu wiersza są spacje — powłoka zakończyłaby tu polecenie; przyjęto, że polecenie ciągnie się w następnym wierszu';
    case 'escaped-continuation': return 'wiersz kończy się podwójnym „\\\\” (typowe dla eksportu z Markdown); przyjęto, że polecenie ciągnie się w następnym wierszu';
    case 'literal-newline-escape': return 'w wierszu jest tekst „\\\\\\n” zamiast złamania wiersza; przyjęto, że to kontynuacja polecenia';
    case 'unexpanded-variable': return `zmienna ${t} — jej wartość nie jest znana`;
    case 'bad-variable': return `nie odczytano ${t} jako zmiennej — pozostawiono tekst bez zmian`;
    case 'command-substitution': return `podstawienie polecenia ${t} — jego wynik nie jest znany`;
    case 'typographic-dash': return `${t} zaczyna się od typograficznej kreski zamiast „-” (zapewne ${quote(p.suggestion)}); powłoka przekaże to jako zwykły argument`;
    case 'unknown-flag': return `nieznana opcja ${t}`;
    case 'missing-value': return `opcja ${t} wymaga wartości`;
    case 'bad-bool': return `opcja ${t}: oczekiwano wartości true lub false`;
    case 'missing-context': return `${t} bez kontekstu budowania (np. „.”)`;
    case 'extra-argument': return `nadmiarowy argument ${t}`;
    case 'bad-platform': return `niepoprawna platforma ${t} (oczekiwano np. „linux/arm64”)`;
    case 'bad-csv': return `niepoprawna lista pól klucz=wartość: ${t}`;
    case 'missing-type': return `brak pola type= w ${t}`;
    case 'unknown-type': return `nieznany typ w ${t}`;
    case 'missing-ref': return `brak pola ref= (nazwy obrazu cache) w ${t}`;
    case 'bad-cache-mode': return `niepoprawny tryb cache w ${t} (dozwolone: mode=min, mode=max)`;
    case 'missing-name': return 'polecenie „docker buildx use” bez nazwy buildera';
    case 'legacy-builder': return `${t} włącza stary builder bez BuildKit, który nie zna opcji buildx`;
  }
}

/** Where a command comes from, as the report names it: `build.sh, wiersz 4`, `submission.json[2], wiersz 1`. */
export function sourceText(s: SourceRef): string {
  return `${s.file}${s.item !== undefined ? `[${s.item}]` : ''}, wiersz ${s.line}`;
}

/** Student text in a Polish sentence: „quoted”, control characters escaped, at most 120 characters. */
export function quote(text: string): string {
  const short = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return `„${JSON.stringify(short).slice(1, -1)}”`;
}
