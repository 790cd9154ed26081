/** The sub-command table and the top-level help text. */

export interface CommandContext {
  /** Aborted on Ctrl-C / SIGTERM: commands stop work and clean up. */
  signal: AbortSignal;
}

export interface CommandModule {
  /** Returns the exit code. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  inspect: { summary: 'sprawdza opublikowany obraz i obraz cache w rejestrze', load: () => import('./inspect.ts') },
  grade: { summary: 'ocenia jedną pracę: dwa budowania w pustych builderach, registry7, punkty, raporty', load: () => import('./grade.ts') },
  report: { summary: 'odtwarza raport (Markdown, PDF) z pliku results.json bez budowania', load: () => import('./report.ts') },
  review: { summary: 'decyzja prowadzącego dla sprawdzenia studenta: nowe punkty, raporty i podsumowanie bez budowania', load: () => import('./review.ts') },
  batch: { summary: 'ocenia całą grupę (katalog prac lub lista CSV): równolegle, z podsumowaniem i wznawianiem', load: () => import('./batch.ts') },
  check: { summary: 'dla studenta: sprawdza własną pracę przed oddaniem i pokazuje, co poprawić', load: () => import('./check.ts') },
  log: { summary: 'co dowodzi zapisany lub wklejony log budowania: format, sterownik, import/eksport cache, CACHED (bez Dockera)', load: () => import('./log.ts') },
  read: { summary: 'czyta sprawozdanie studenta: polecenia, wklejone logi i manifesty, zrzuty ekranu (bez Dockera)', load: () => import('./read.ts') },
  init: { summary: 'dla studenta: tworzy szkielet pliku submission.json', load: () => import('./init.ts') },
  cleanup: { summary: 'usuwa pozostałości przerwanych ocen (kontenery, buildery, wolumeny, sieci)', load: () => import('./cleanup.ts') },
  doctor: { summary: 'sprawdza, czy ta maszyna może oceniać (Docker, buildx, sterownik, arm64, obrazy, przeglądarka)', load: () => import('./doctor.ts') },
};

export function printHelp(): void {
  const lines = [
    'buildx-grader: ocenia laboratorium 7 (buildx, obrazy wieloplatformowe, cache w rejestrze, registry7)',
    '',
    'Użycie: grader <polecenie> [opcje]   (grader <polecenie> --help: szczegóły)',
    '',
    'Polecenia:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Kody wyjścia: 0 wszystko zaliczone, 1 któreś sprawdzenie nie przeszło, 2 błędne dane wejściowe,',
    '              3 awaria infrastruktury (rejestr, Docker), 130 przerwano.',
  ];
  console.log(lines.join('\n'));
}
