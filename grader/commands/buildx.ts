/**
 * Models of `docker buildx build`, `docker buildx create` and `docker buildx use` from argv.
 * Flag tables follow `docker buildx <cmd> --help` of buildx 0.29 plus the hidden flags it still
 * accepts (probed: "flag needs an argument" tells which take a value), so a value-less flag such
 * as `--no-cache` never swallows the context and `--memory 2g` never becomes it.
 */
import { csvFields, parseCsvEntry } from './csv.ts';
import type {
  BuildContext, BuildInvocation, BuildxBuild, BuildxCreate, BuildxUse, CommandKind, CommandProblem, CsvEntry, DroppedFlag,
} from './types.ts';

interface FlagSpec {
  long: string;
  short?: string;
  value: boolean;
}

function specs(values: string, bools: string): FlagSpec[] {
  const parse = (list: string, value: boolean) => list.split(/\s+/).filter(Boolean).map((entry) => {
    const [long, short] = entry.split('/');
    return { long: long!, ...(short ? { short } : {}), value };
  });
  return [...parse(values, true), ...parse(bools, false)];
}

const BUILD_FLAGS = specs(
  `add-host allow annotation attest build-arg build-context builder cache-from cache-to call cgroup-parent file/f iidfile label
   metadata-file network no-cache-filter output/o platform progress provenance sbom secret shm-size ssh tag/t target ulimit
   isolation security-opt memory/m memory-swap cpu-shares/c cpu-period cpu-quota cpuset-cpus cpuset-mems print`,
  'check debug/D load no-cache pull push quiet/q compress force-rm rm squash',
);
const CREATE_FLAGS = specs('buildkitd-config config buildkitd-flags driver driver-opt name node platform', 'append bootstrap debug/D leave use');
const USE_FLAGS = specs('builder', 'debug/D default global');
/** `docker [OPTIONS]` before the subcommand (`docker --help`). */
const DOCKER_FLAGS = specs('config context/c host/H log-level/l tlscacert tlscert tlskey', 'debug/D tls tlsverify');
const BUILDX_FLAGS = specs('builder', 'debug/D');

interface FlagValue {
  spec: FlagSpec;
  /** Undefined for a bool flag written without `=value`. */
  value?: string;
  /** The flag and value as written, for "dropped" and problems. */
  text: string;
}

interface ParsedFlags {
  flags: FlagValue[];
  positionals: string[];
}

/**
 * pflag's rules: `--f=v`, `--f v` (the next word even if it starts with `-`), `-fv`, `-f=v`,
 * `-f v`, grouped bools `-qD`, flags after positionals, `--` ends flags, `-` is a positional.
 * `stopAtPositional` is for the `docker` and `docker buildx` levels, where the first positional is the subcommand.
 */
function parseFlags(args: readonly string[], table: readonly FlagSpec[], problems: CommandProblem[], stopAtPositional = false): ParsedFlags & { rest: string[] } {
  const flags: FlagValue[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (stopAtPositional) return { flags, positionals, rest: args.slice(i) };
      positionals.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq === -1 ? undefined : eq);
      const spec = table.find((s) => s.long === name);
      if (!spec) {
        problems.push({ code: 'unknown-flag', text: a });
        continue;
      }
      if (eq !== -1) flags.push({ spec, value: a.slice(eq + 1), text: a });
      else if (!spec.value) flags.push({ spec, text: a });
      else if (i + 1 < args.length) flags.push({ spec, value: args[++i]!, text: `${a} ${args[i]}` });
      else problems.push({ code: 'missing-value', text: a });
      continue;
    }
    // Shorthands: bools may be grouped; the first value-taking one takes the rest of the word or the next word.
    for (let j = 1; j < a.length; j++) {
      const spec = table.find((s) => s.short === a[j]);
      if (!spec) {
        problems.push({ code: 'unknown-flag', text: `-${a[j]}` });
        break;
      }
      if (!spec.value) {
        flags.push({ spec, text: `-${a[j]}` });
        continue;
      }
      const attached = a.slice(j + 1);
      if (attached !== '') flags.push({ spec, value: attached.startsWith('=') ? attached.slice(1) : attached, text: a });
      else if (i + 1 < args.length) flags.push({ spec, value: args[++i]!, text: `${a} ${args[i]}` });
      else problems.push({ code: 'missing-value', text: a });
      break;
    }
  }
  return { flags, positionals, rest: [] };
}

/** Go's strconv.ParseBool, which pflag uses for `--push=false`. */
function boolOf(flag: FlagValue, problems: CommandProblem[]): boolean {
  if (flag.value === undefined) return true;
  if (/^(1|t|T|TRUE|true|True)$/.test(flag.value)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(flag.value)) return false;
  problems.push({ code: 'bad-bool', text: flag.text });
  return true;
}

type Classified = { kind: CommandKind; build?: BuildxBuild; create?: BuildxCreate; use?: BuildxUse };

/** Recognises the buildx commands (any alias, after `docker`'s own options); everything else is 'other'. */
export function classify(argv: readonly string[], env: Readonly<Record<string, string>>, problems: CommandProblem[]): Classified {
  if (argv.length === 0 || !/^docker(\.exe)?$/i.test(argv[0]!.split(/[\\/]/).at(-1)!)) return { kind: 'other' };
  // Options of `docker` and `docker buildx` are parsed into a scratch list: a problem there is not the command's.
  const scratch: CommandProblem[] = [];
  const docker = parseFlags(argv.slice(1), DOCKER_FLAGS, scratch, true);
  const [sub, ...afterSub] = docker.rest;
  let invokedAs: BuildInvocation | undefined;
  let args: string[] = [];
  let outerBuilder: string | undefined;
  if (sub === 'buildx') {
    const buildx = parseFlags(afterSub, BUILDX_FLAGS, scratch, true);
    outerBuilder = buildx.flags.find((f) => f.spec.long === 'builder')?.value;
    const [cmd, ...rest] = buildx.rest;
    if (cmd === 'create') return { kind: 'buildx-create', create: modelCreate(rest, problems) };
    if (cmd === 'use') return { kind: 'buildx-use', use: modelUse(rest, outerBuilder, problems) };
    if (cmd === 'build' || cmd === 'b') invokedAs = `docker buildx ${cmd}`;
    args = rest;
  } else if (sub === 'build') {
    invokedAs = 'docker build';
    args = afterSub;
  } else if ((sub === 'builder' || sub === 'image') && afterSub[0] === 'build') {
    invokedAs = `docker ${sub} build`;
    args = afterSub.slice(1);
  }
  if (!invokedAs) return { kind: 'other' };
  // Since Docker 23 `docker build` is buildx (see the aliases in `docker buildx build --help`) unless BuildKit is switched off.
  if (invokedAs !== 'docker buildx build' && invokedAs !== 'docker buildx b' && env.DOCKER_BUILDKIT === '0') {
    problems.push({ code: 'legacy-builder', text: 'DOCKER_BUILDKIT=0' });
  }
  return { kind: 'buildx-build', build: modelBuild(invokedAs, args, outerBuilder, problems) };
}

const CACHE_TYPES = new Set(['registry', 'local', 'inline', 'gha', 's3', 'azblob']);
const OUTPUT_TYPES = new Set(['registry', 'image', 'docker', 'local', 'tar', 'oci', 'cacheonly']);
const MODELLED_BUILD = new Set(['builder', 'tag', 'platform', 'file', 'target', 'build-arg', 'cache-to', 'cache-from', 'output', 'push', 'load', 'no-cache', 'pull', 'quiet']);

function modelBuild(invokedAs: BuildInvocation, args: readonly string[], outerBuilder: string | undefined, problems: CommandProblem[]): BuildxBuild {
  const { flags, positionals } = parseFlags(args, BUILD_FLAGS, problems);
  const build: BuildxBuild = {
    invokedAs, tags: [], platforms: [], buildArgs: [], cacheTo: [], cacheFrom: [], outputs: [],
    pushes: false, noCache: false, pull: false, quiet: false, dropped: [],
  };
  if (outerBuilder !== undefined) build.builder = outerBuilder;
  let push = false;
  let load = false;
  for (const flag of flags) {
    const value = flag.value ?? '';
    switch (flag.spec.long) {
      case 'builder': build.builder = value; break;
      case 'tag': build.tags.push(value); break;
      case 'platform': build.platforms.push(...platformsOf(value, problems)); break;
      case 'file': build.file = value; break;
      case 'target': build.target = value; break;
      case 'build-arg': {
        const eq = value.indexOf('=');
        build.buildArgs.push(eq === -1 ? { name: value } : { name: value.slice(0, eq), value: value.slice(eq + 1) });
        break;
      }
      case 'cache-to': build.cacheTo.push(cacheEntry(value, true, problems)); break;
      case 'cache-from': build.cacheFrom.push(cacheEntry(value, false, problems)); break;
      case 'output': build.outputs.push({ ...outputEntry(value, problems), via: 'output' }); break;
      case 'push': push = boolOf(flag, problems); break;
      case 'load': load = boolOf(flag, problems); break;
      case 'no-cache': build.noCache = boolOf(flag, problems); break;
      case 'pull': build.pull = boolOf(flag, problems); break;
      case 'quiet': build.quiet = boolOf(flag, problems); break;
    }
    if (!MODELLED_BUILD.has(flag.spec.long)) build.dropped.push(dropped(flag));
  }
  if (push) build.outputs.push({ text: '--push', type: 'registry', attrs: {}, shorthand: true, via: 'push' });
  if (load) build.outputs.push({ text: '--load', type: 'docker', attrs: {}, shorthand: true, via: 'load' });
  build.pushes = build.outputs.some((o) => o.type === 'registry' || (o.type === 'image' && /^(1|t|true)$/i.test(o.attrs.push ?? '')));

  if (positionals.length === 0) problems.push({ code: 'missing-context', text: invokedAs });
  else build.context = contextOf(positionals[0]!);
  for (const extra of positionals.slice(1)) problems.push({ code: 'extra-argument', text: extra });
  return build;
}

function platformsOf(value: string, problems: CommandProblem[]): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    // buildx lowercases platforms; `local` means the builder's own platform.
    if (/^(local|[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?)$/i.test(p)) out.push(p.toLowerCase());
    else problems.push({ code: 'bad-platform', text: part === '' ? value : part });
  }
  return out;
}

/** `--cache-to r/x:c` and `--cache-from r/x:c` are `type=registry,ref=r/x:c`. */
function cacheEntry(value: string, exporting: boolean, problems: CommandProblem[]): CsvEntry {
  const entry = parseCsvEntry(value, (ref) => ({ type: 'registry', ref }), problems);
  if (entry.type === undefined) {
    if (Object.keys(entry.attrs).length > 0) problems.push({ code: 'missing-type', text: value });
  } else if (!CACHE_TYPES.has(entry.type)) {
    problems.push({ code: 'unknown-type', text: value });
  } else if (entry.type === 'registry' && !entry.attrs.ref) {
    problems.push({ code: 'missing-ref', text: value });
  }
  if (exporting && entry.attrs.mode !== undefined && !/^(min|max)$/.test(entry.attrs.mode)) {
    problems.push({ code: 'bad-cache-mode', text: value });
  }
  return entry;
}

/** `-o dir` is `type=local,dest=dir`; `-o -` is `type=tar,dest=-`. */
function outputEntry(value: string, problems: CommandProblem[]): CsvEntry {
  const entry = parseCsvEntry(value, (dest) => ({ type: dest === '-' ? 'tar' : 'local', dest }), problems);
  if (entry.type === undefined) {
    if (Object.keys(entry.attrs).length > 0) problems.push({ code: 'missing-type', text: value });
  } else if (!OUTPUT_TYPES.has(entry.type)) {
    problems.push({ code: 'unknown-type', text: value });
  }
  return entry;
}

function contextOf(text: string): BuildContext {
  if (text === '-') return { text, kind: 'stdin' };
  // buildx treats these as git repositories (a `#ref:dir` fragment picks branch and folder).
  if (/^(git@|git:\/\/|github\.com\/)/.test(text) || (/^https?:\/\//i.test(text) && /\.git($|#)|#/.test(text))) return { text, kind: 'git' };
  if (/^https?:\/\//i.test(text)) return { text, kind: 'url' };
  return { text, kind: 'path' };
}

function dropped(flag: FlagValue): DroppedFlag {
  return { flag: flag.spec.long, text: flag.text };
}

const MODELLED_CREATE = new Set(['driver', 'name', 'use', 'bootstrap', 'append', 'leave', 'driver-opt', 'buildkitd-config', 'config', 'buildkitd-flags', 'platform', 'node']);

function modelCreate(args: readonly string[], problems: CommandProblem[]): BuildxCreate {
  const { flags, positionals } = parseFlags(args, CREATE_FLAGS, problems);
  const create: BuildxCreate = { use: false, bootstrap: false, append: false, leave: false, driverOpts: {}, platforms: [], dropped: [] };
  for (const flag of flags) {
    const value = flag.value ?? '';
    switch (flag.spec.long) {
      case 'driver': create.driver = value; break;
      case 'name': create.name = value; break;
      case 'node': create.node = value; break;
      case 'use': create.use = boolOf(flag, problems); break;
      case 'bootstrap': create.bootstrap = boolOf(flag, problems); break;
      case 'append': create.append = boolOf(flag, problems); break;
      case 'leave': create.leave = boolOf(flag, problems); break;
      case 'buildkitd-config': case 'config': create.buildkitdConfig = value; break;
      case 'buildkitd-flags': create.buildkitdFlags = value; break;
      case 'platform': create.platforms.push(...platformsOf(value, problems)); break;
      case 'driver-opt': Object.assign(create.driverOpts, driverOpts(value, problems)); break;
    }
    if (!MODELLED_CREATE.has(flag.spec.long)) create.dropped.push(dropped(flag));
  }
  if (positionals[0] !== undefined) create.endpoint = positionals[0];
  for (const extra of positionals.slice(1)) problems.push({ code: 'extra-argument', text: extra });
  return create;
}

/** `--driver-opt network=host,image=moby/buildkit:x`: CSV of key=value, keys as written. */
function driverOpts(value: string, problems: CommandProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of csvFields(value) ?? []) {
    const eq = field.indexOf('=');
    if (eq > 0) out[field.slice(0, eq)] = field.slice(eq + 1);
    else problems.push({ code: 'bad-csv', text: value });
  }
  if (csvFields(value) === undefined) problems.push({ code: 'bad-csv', text: value });
  return out;
}

function modelUse(args: readonly string[], outerBuilder: string | undefined, problems: CommandProblem[]): BuildxUse {
  const { flags, positionals } = parseFlags(args, USE_FLAGS, problems);
  const use: BuildxUse = { default: false, global: false };
  for (const flag of flags) {
    if (flag.spec.long === 'default') use.default = boolOf(flag, problems);
    if (flag.spec.long === 'global') use.global = boolOf(flag, problems);
  }
  // buildx: `use` without NAME switches to the `--builder` one.
  const name = positionals[0] ?? flags.find((f) => f.spec.long === 'builder')?.value ?? outerBuilder;
  if (name !== undefined) use.name = name;
  else problems.push({ code: 'missing-name', text: 'docker buildx use' });
  for (const extra of positionals.slice(1)) problems.push({ code: 'extra-argument', text: extra });
  return use;
}
