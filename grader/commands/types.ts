/**
 * Shell commands a student wrote (build.sh, submission.json `build.commands`, a report's code
 * blocks), parsed without executing anything, with a model of the buildx commands the lab is about.
 */

/** Where a command starts, for the report. */
export interface SourceRef {
  /** As the report should name it: a path relative to the submission, or "submission.json". */
  file: string;
  /**
   * 1-based line where the command's logical line starts (inside the item for an inline list);
   * commands joined by `&&`, `;` or `|` on one logical line share it.
   */
  line: number;
  /** 0-based position in submission.json `build.commands`, for inline commands only. */
  item?: number;
}

/**
 * `script`: a file the shell would run (`#` is always a comment, no prompts).
 * `console`: text copied from a terminal (inline list, Markdown): prompts such as `$ `, `> `,
 * `PS C:\x> `, `user@host:~/x$ ` are removed first.
 */
export type TextStyle = 'script' | 'console';

export type CommandKind = 'buildx-build' | 'buildx-create' | 'buildx-use' | 'other';

export interface ParsedCommand {
  source: SourceRef;
  /** The logical line as written (continuations joined, prompt removed); several commands may share it. */
  text: string;
  /** Words after quote removal, without env prefixes, `sudo` and redirections. `$VAR` stays as written. */
  argv: string[];
  /** `NAME=value` words written before the command (e.g. DOCKER_BUILDKIT=1). */
  env: Record<string, string>;
  sudo: boolean;
  kind: CommandKind;
  build?: BuildxBuild;
  create?: BuildxCreate;
  use?: BuildxUse;
  problems: CommandProblem[];
}

/** How the student invoked the build; every form runs `docker buildx build` (see `docker buildx build --help`, "Aliases"). */
export type BuildInvocation = 'docker buildx build' | 'docker buildx b' | 'docker build' | 'docker builder build' | 'docker image build';

/** One `--cache-to`/`--cache-from`/`--output` value in buildx's CSV syntax. */
export interface CsvEntry {
  /** The value as written after the flag. */
  text: string;
  /** `type=` field; for a bare value the type buildx implies (registry for cache, local/tar for output). */
  type?: string;
  /** All other fields; later duplicates win, as in buildx. */
  attrs: Record<string, string>;
  /** The value had no `=`: buildx's shorthand (`--cache-from r/x:c` = `type=registry,ref=r/x:c`). */
  shorthand: boolean;
}

export interface OutputEntry extends CsvEntry {
  /** `--output`/`-o`, or the shorthands `--push` (type=registry) and `--load` (type=docker). */
  via: 'output' | 'push' | 'load';
}

export interface BuildArg {
  name: string;
  /** Undefined for a bare `--build-arg NAME`: buildx takes the value from the environment. */
  value?: string;
}

export interface BuildContext {
  text: string;
  /** `-` reads a tarball or Dockerfile from stdin; git and url are remote contexts. */
  kind: 'path' | 'stdin' | 'git' | 'url';
}

/** A flag the grader does not model, kept so the report can mention it. */
export interface DroppedFlag {
  flag: string;
  /** The flag and its value as written (after quote removal). */
  text: string;
}

export interface BuildxBuild {
  invokedAs: BuildInvocation;
  /** `--builder` of `docker buildx` or of the build itself (the build's wins, as in buildx). */
  builder?: string;
  tags: string[];
  /** Each `--platform` value split on commas. */
  platforms: string[];
  file?: string;
  target?: string;
  buildArgs: BuildArg[];
  cacheTo: CsvEntry[];
  cacheFrom: CsvEntry[];
  /** Explicit outputs first, then the ones implied by `--push` and `--load`. */
  outputs: OutputEntry[];
  /** Some output sends the image to a registry (`--push`, `type=registry`, `type=image,push=true`). */
  pushes: boolean;
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
  context?: BuildContext;
  dropped: DroppedFlag[];
}

export interface BuildxCreate {
  /** As given; buildx picks docker-container when `--driver` is missing. */
  driver?: string;
  name?: string;
  use: boolean;
  bootstrap: boolean;
  append: boolean;
  leave: boolean;
  /** `--driver-opt` values split into key=value (CSV, like buildx). */
  driverOpts: Record<string, string>;
  /** `--buildkitd-config`, or the older hidden spelling `--config`. */
  buildkitdConfig?: string;
  buildkitdFlags?: string;
  platforms: string[];
  node?: string;
  /** The optional CONTEXT|ENDPOINT argument. */
  endpoint?: string;
  dropped: DroppedFlag[];
}

export interface BuildxUse {
  name?: string;
  default: boolean;
  global: boolean;
}

/**
 * What could not be read as the student probably meant, or what a real shell/buildx would have
 * rejected. `text` is the student's fragment concerned; `describeProblem` gives the Polish sentence.
 */
export type CommandProblem =
  | { code: 'unterminated-quote'; text: string }
  /** `\` followed by spaces before the newline: a shell ends the command there; read as a continuation. */
  | { code: 'continuation-trailing-space'; text: string }
  /** `\\` + newline (Markdown export doubles backslashes); read as a continuation. */
  | { code: 'escaped-continuation'; text: string }
  /** The four characters `\\\n` written inside a line instead of a line break; read as a continuation. */
  | { code: 'literal-newline-escape'; text: string }
  /** `$VAR`, `${VAR}`: the grader does not know its value. */
  | { code: 'unexpanded-variable'; text: string }
  /** A `${` not read as a variable (unclosed, empty, or with blanks or quotes inside): kept as written. */
  | { code: 'bad-variable'; text: string }
  /** `$(...)` or a backtick substitution: kept as written, its commands parsed separately. */
  | { code: 'command-substitution'; text: string }
  /** A word starting with an en/em dash (a word processor's `–use`): a shell passes it as an argument. */
  | { code: 'typographic-dash'; text: string; suggestion: string }
  | { code: 'unknown-flag'; text: string }
  | { code: 'missing-value'; text: string }
  | { code: 'bad-bool'; text: string }
  | { code: 'missing-context'; text: string }
  | { code: 'extra-argument'; text: string }
  | { code: 'bad-platform'; text: string }
  | { code: 'bad-csv'; text: string }
  | { code: 'missing-type'; text: string }
  | { code: 'unknown-type'; text: string }
  | { code: 'missing-ref'; text: string }
  | { code: 'bad-cache-mode'; text: string }
  /** `docker buildx use` without a builder name. */
  | { code: 'missing-name'; text: string }
  /** `DOCKER_BUILDKIT=0`: the classic builder, which has none of buildx's flags. */
  | { code: 'legacy-builder'; text: string };

export type CommandProblemCode = CommandProblem['code'];
