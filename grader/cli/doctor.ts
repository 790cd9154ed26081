/** `grader doctor`: checks each prerequisite of the build stack and says how to fix what is missing. */
import { access, constants } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BUILDKIT_IMAGE } from '../docker/builders.ts';
import { DockerCli, builderPlatforms } from '../docker/docker.ts';
import { ExitCode, InputError } from '../errors.ts';
import type { CommandContext } from './commands.ts';

const SETUP = 'npm run setup   (albo: sudo bash scripts/setup.sh)';
const OR_SETUP = 'albo: npm run setup';

export interface Prerequisite {
  id: string;
  /** Polish name shown to the user. */
  title: string;
  /** Without it grading cannot work; optional ones only change how it works. */
  required: boolean;
  ok: boolean;
  /** What was found (version, platforms) or what went wrong. */
  detail: string;
  /** Command that fixes it, when not ok. */
  fix?: string;
}

export interface DoctorOptions {
  docker: DockerCli;
  /** Base registry with the multi-arch busybox image (scripts/setup.sh). */
  baseRegistry: string;
  chromiumPath: string;
  signal?: AbortSignal;
}

const HELP = `Użycie: grader doctor [--json]

Sprawdza, czy na tej maszynie działa wszystko, czego potrzebuje ocenianie:
silnik Dockera z magazynem obrazów containerd, buildx, emulacja arm64 (QEMU),
sterownik docker-container (obraz ${BUILDKIT_IMAGE}), obraz registry:2,
rejestr bazowy z obrazem busybox, Chromium (raporty PDF) i pdftotext.
Przy każdym brakującym elemencie podaje polecenie, które go naprawia.

Opcje:
  --json    wynik jako JSON
  --help    ta pomoc

Kod wyjścia: 0 gdy wszystkie wymagane elementy działają, 3 w przeciwnym razie.`;

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    throw new InputError(`Błędne argumenty polecenia doctor: ${(error as Error).message}`, [], { cause: error });
  }
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  const checks = await diagnose({
    docker: new DockerCli({ signal: ctx.signal, timeoutMs: 30_000 }),
    baseRegistry: `127.0.0.1:${process.env.BUILDX_GRADER_BASE_PORT ?? '5055'}`,
    chromiumPath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    signal: ctx.signal,
  });
  const ok = checks.every((c) => c.ok || !c.required);
  if (values.json) console.log(JSON.stringify({ ok, checks }, null, 2));
  else console.log(formatReport(checks, ok));
  return ok ? ExitCode.ok : ExitCode.infrastructure;
}

/** Runs every check; a failing one never stops the others. */
export async function diagnose(options: DoctorOptions): Promise<Prerequisite[]> {
  const { docker } = options;
  const out: Prerequisite[] = [];
  const check = async (
    base: Omit<Prerequisite, 'ok' | 'detail'>,
    probe: () => Promise<{ ok: boolean; detail: string; skipped?: boolean }>,
  ) => {
    try {
      const { skipped, ...r } = await probe();
      // A check skipped because the engine is down is fixed by fixing the engine.
      out.push({ ...base, ...r, fix: r.ok || skipped ? undefined : base.fix });
    } catch (error) {
      out.push({ ...base, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  let engineUp = false;
  await check({ id: 'engine', title: 'Silnik Dockera', required: true, fix: SETUP }, async () => {
    const v = await docker.version();
    engineUp = true;
    return { ok: true, detail: `Docker Engine ${v.server} (API ${v.apiVersion ?? '?'}, klient ${v.client})` };
  });
  const needsEngine = (probe: () => Promise<{ ok: boolean; detail: string }>) => async () =>
    engineUp ? probe() : { ok: false, skipped: true, detail: 'nie sprawdzono: silnik Dockera nie odpowiada' };

  await check({
    id: 'containerd-store', title: 'Magazyn obrazów containerd', required: true,
    fix: `echo '{ "features": { "containerd-snapshotter": true } }' > /etc/docker/daemon.json, restart dockerd; ${OR_SETUP}`,
  }, needsEngine(async () => {
    const info = await docker.info();
    return info.containerdStore
      ? { ok: true, detail: `włączony (sterownik ${info.storageDriver})` }
      : { ok: false, detail: `wyłączony (sterownik ${info.storageDriver}): sterownik docker nie zbuduje obrazu wieloplatformowego` };
  }));

  await check({ id: 'buildx', title: 'Docker Buildx', required: true, fix: SETUP }, async () => {
    const v = await docker.buildxVersion();
    return { ok: true, detail: `buildx ${v.version}` };
  });

  await check({
    id: 'arm64', title: 'Emulacja linux/arm64 (QEMU)', required: true,
    fix: `update-binfmts --enable qemu-aarch64; ${OR_SETUP}`,
  }, needsEngine(async () => {
    const builder = await docker.inspectBuilder('default');
    const platforms = builder ? builderPlatforms(builder) : [];
    return {
      ok: platforms.includes('linux/arm64') && platforms.includes('linux/amd64'),
      detail: `platformy buildera default: ${platforms.join(', ') || 'brak'}`,
    };
  }));

  await check({
    id: 'docker-container-driver', title: 'Sterownik docker-container', required: false,
    fix: `docker pull ${BUILDKIT_IMAGE}   (bez niego ocena używa strategii prune)`,
  }, needsEngine(async () => (await docker.imageExists(BUILDKIT_IMAGE))
    ? { ok: true, detail: `obraz ${BUILDKIT_IMAGE} dostępny: izolacja container` }
    : { ok: false, detail: `brak obrazu ${BUILDKIT_IMAGE}: izolacja prune na sterowniku docker` }));

  await check({ id: 'registry-image', title: 'Obraz registry:2', required: true, fix: SETUP }, needsEngine(async () =>
    (await docker.imageExists('registry:2'))
      ? { ok: true, detail: 'dostępny lokalnie' }
      : { ok: false, detail: 'brak obrazu registry:2 (registry7 nie wystartuje)' }));

  await check({ id: 'base-registry', title: `Rejestr bazowy ${options.baseRegistry} z busybox`, required: true, fix: SETUP }, async () => {
    const url = `http://${options.baseRegistry}/v2/library/busybox/manifests/latest`;
    const res = await fetch(url, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' },
      signal: AbortSignal.any([AbortSignal.timeout(5_000), ...(options.signal ? [options.signal] : [])]),
    });
    return res.status === 200
      ? { ok: true, detail: `${options.baseRegistry}/library/busybox:latest (${res.headers.get('content-type') ?? '?'})` }
      : { ok: false, detail: `HEAD ${url}: HTTP ${res.status}` };
  });

  await check({ id: 'chromium', title: 'Chromium (raporty PDF)', required: true, fix: `apt-get install chromium fonts-dejavu-core; ${OR_SETUP}` }, async () =>
    (await executable(options.chromiumPath))
      ? { ok: true, detail: options.chromiumPath }
      : { ok: false, detail: `brak ${options.chromiumPath}` });

  await check({ id: 'pdftotext', title: 'pdftotext (testy raportów PDF)', required: false, fix: `apt-get install poppler-utils; ${OR_SETUP}` }, async () => {
    const found = await whichOnPath('pdftotext');
    return found ? { ok: true, detail: found } : { ok: false, detail: 'brak pdftotext w PATH' };
  });
  return out;
}

/** Human-readable report, one line per prerequisite plus the fix under each missing one. */
export function formatReport(checks: Prerequisite[], ok: boolean): string {
  const lines = ['Wymagania buildx-grader:'];
  for (const c of checks) {
    const mark = c.ok ? 'ok     ' : c.required ? 'BRAK   ' : 'brak   ';
    lines.push(`  ${mark} ${c.title}: ${c.detail}${c.required ? '' : ' (opcjonalne)'}`);
    if (!c.ok && c.fix) lines.push(`          naprawa: ${c.fix}`);
  }
  lines.push('', ok ? 'Wszystkie wymagane elementy działają.' : 'Brakuje wymaganych elementów: ocenianie nie zadziała, dopóki ich nie naprawisz.');
  return lines.join('\n');
}

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

async function whichOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = `${dir}/${name}`;
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}
