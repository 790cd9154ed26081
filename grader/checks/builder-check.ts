/**
 * builder.container: the student built with a builder of the docker-container driver, as the lab
 * asks. Evidence is the student's own commands only: `docker buildx create` (its driver is
 * docker-container when --driver is missing, as in buildx), then that builder in use for the
 * build (`--use`, `docker buildx use NAME`, or the build's `--builder NAME`). The grader's own
 * builders never count. Pure.
 */
import { sourceText } from '../commands/describe.ts';
import type { ParsedCommand } from '../commands/types.ts';
import type { CheckResult, Evidence } from '../results/types.ts';
import { DOCS } from './docs.ts';

const ID = 'builder.container';

export interface BuilderCheckInput {
  /** All the student's commands, in order. */
  commands: readonly ParsedCommand[];
  /** The build command that was reproduced, when there is one. */
  build?: ParsedCommand;
  /** `#0 building with "NAME" instance using docker-container driver` lines of build logs the student pasted into the report. */
  driverLines?: readonly { file: string; line: number; name: string }[];
}


export function builderCheck({ commands, build, driverLines = [] }: BuilderCheckInput): CheckResult {
  const creates = commands.filter((c) => c.kind === 'buildx-create' && c.create);
  const container = creates.filter((c) => (c.create!.driver ?? 'docker-container') === 'docker-container');
  const rows = creates.map((c) => [sourceText(c.source), c.create!.name ?? '(nazwa nadana przez buildx)', c.create!.driver ?? 'docker-container (domyślny)', c.create!.use ? 'tak' : 'nie']);
  const evidence: Evidence[] = creates.length
    ? [{ kind: 'table', title: 'Polecenia docker buildx create studenta', columns: ['Źródło', 'Nazwa', 'Sterownik', '--use'], rows }]
    : [];
  const fix = 'Utwórz builder poleceniem docker buildx create --driver docker-container --name mybuilder --use --bootstrap i buduj nim (--use albo --builder mybuilder); dołącz to polecenie do pracy.';
  const logged = driverLines[0];
  if (container.length === 0 && logged) {
    // BuildKit's own first line of a build log names the builder's driver: the student built with one.
    return {
      id: ID,
      status: 'pass',
      message: `Log budowania wklejony przez studenta pokazuje builder docker-container ${logged.name} (${logged.file}, wiersz ${logged.line}).`,
      evidence: [...evidence, { kind: 'log', title: 'Wiersz sterownika w logu studenta', file: logged.file, lines: [{ n: logged.line, text: `#0 building with "${logged.name}" instance using docker-container driver`, highlight: true }] }],
    };
  }
  if (container.length === 0) {
    return {
      id: ID,
      status: 'fail',
      message: creates.length
        ? `Builder studenta nie używa sterownika docker-container (${creates.map((c) => `--driver ${c.create!.driver}`).join(', ')}).`
        : commands.length
          ? 'Brak dowodu: wśród poleceń studenta nie ma docker buildx create ze sterownikiem docker-container.'
          : 'Brak polecenia studenta: praca nie podaje swoich poleceń (build.commands albo build.script w submission.json), więc nie ma dowodu użycia buildera docker-container.',
      hint: fix,
      docs: [DOCS.dockerContainerDriver],
      evidence,
    };
  }
  const names = new Set(container.map((c) => c.create!.name).filter((n): n is string => n !== undefined));
  const used = container.some((c) => c.create!.use)
    || commands.some((c) => c.kind === 'buildx-use' && c.use?.name !== undefined && names.has(c.use.name))
    || (build?.build?.builder !== undefined && names.has(build.build.builder));
  const first = container[0]!;
  if (!used) {
    return {
      id: ID,
      status: 'fail',
      message: `Student utworzył builder docker-container (${sourceText(first.source)}), ale nic nie wskazuje, że budowanie go używa (brak --use, docker buildx use ani --builder z jego nazwą).`,
      hint: fix,
      docs: [DOCS.dockerContainerDriver],
      evidence,
    };
  }
  return {
    id: ID,
    status: 'pass',
    message: `Student utworzył builder docker-container${first.create!.name ? ` ${first.create!.name}` : ''} i buduje nim (${sourceText(first.source)}).`,
    evidence,
  };
}
