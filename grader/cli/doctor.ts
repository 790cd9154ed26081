/**
 * `grader doctor`: checks what grading needs on this machine (Linux, macOS or Windows) and how to
 * fix each failing check on every OS. Verdicts and fixes are pure functions of the facts the probes
 * gather (unit-tested); diagnose() adds the docker calls and never pulls or builds anything.
 */
import { ocrAvailability } from '../documents/ocr.ts';
import { parseArgs } from 'node:util';
import { LAB_PLATFORMS } from '../docker/build-runner.ts';
import { builderPlatforms, compareVersions, DockerCli, type BuilderInfo, type EngineInfo, type EngineVersion } from '../docker/docker.ts';
import { DEFAULT_IMAGES, IMAGE_ENV, runtimeImage, SANDBOX_DOCKERFILE, type RuntimeImageKind } from '../docker/runtime-images.ts';
import { ExitCode, InputError } from '../errors.ts';
import { browserCandidates, findBrowser, installHint, type BrowserLookup } from '../report/find-browser.ts';
import type { CommandContext } from './commands.ts';

/**
 * Oldest buildx the grader works with: 0.10.0 added `--provenance`, which the first-use build of the
 * sandbox image passes (Docker Desktop ships 0.10 since 4.16). Everything else grading uses is older:
 * `--metadata-file`, `buildx create --bootstrap`, registry cache export with mode=max, the
 * docker-container driver; before 0.13 the builders get `--config` (container-isolation.ts).
 */
export const MIN_BUILDX = '0.10.0';

export type Os = 'linux' | 'darwin' | 'win32';
/** How to fix a failing check on each OS, in Polish. */
export type Fix = Record<Os, string>;

export type CheckId =
  | 'engine' | 'buildx' | 'docker-container-driver' | 'containerd-store' | 'arm64' | 'registry-image' | 'sandbox-image' | 'browser' | 'ocr';

/** One check as `--json` prints it (stable shape, documented in --help). */
export interface Prerequisite {
  id: CheckId;
  /** Polish name shown to the user. */
  title: string;
  /** Without it grading cannot work; optional ones only change how it works. */
  required: boolean;
  ok: boolean;
  /** What was found (version, platforms, image) or what went wrong, in Polish. */
  detail: string;
  /** Only when not ok and checked. */
  fix?: Fix;
  /** Not checked because the Docker engine does not answer (ok is false, no fix: fix the engine). */
  skipped?: true;
}

/** What a probe concluded. */
export interface Verdict {
  ok: boolean;
  detail: string;
}

/** The docker calls doctor makes (a fake in unit tests). */
export type DoctorDocker = Pick<DockerCli, 'version' | 'info' | 'buildxVersion' | 'inspectBuilder' | 'imageExists'>;

/** Whether screenshots can be read (grader/documents/ocr.ts; a fake in unit tests). */
export type OcrProbe = () => Promise<{ ok: true } | { ok: false; message: string }>;

export interface DoctorOptions {
  docker: DoctorDocker;
  /** Image overrides (GRADER_*_IMAGE) and browser variables; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** OS whose browser locations are searched; default process.platform. */
  platform?: NodeJS.Platform;
  /** Default: tesseract with Polish and English data. */
  ocr?: OcrProbe;
}

const OS_NAMES: Record<Os, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

const HELP = `Użycie: grader doctor [--json]

Sprawdza, czy na tym komputerze da się oceniać laboratorium 7, i przy każdym
niespełnionym wymaganiu podaje, jak je naprawić w tym systemie (Linux, macOS, Windows):
  engine                   silnik Dockera odpowiada (wersja)
  buildx                   Docker Buildx ${MIN_BUILDX} lub nowszy
  docker-container-driver  builder docker-container: obraz BuildKit ${DEFAULT_IMAGES.buildkit}
                           lokalnie albo pobierany przy pierwszej ocenie
  containerd-store         magazyn obrazów containerd (opcjonalny, tylko dla --isolation prune)
  arm64                    builder default buduje linux/amd64 i linux/arm64
                           (emulacja QEMU/binfmt albo natywny węzeł arm64)
  registry-image           obraz ${DEFAULT_IMAGES.registry} (registry7):
                           lokalnie albo pobierany przy pierwszej ocenie
  sandbox-image            obraz piaskownicy ${DEFAULT_IMAGES.sandbox}:
                           lokalnie albo budowany przy pierwszej ocenie
  browser                  przeglądarka Chrome, Chromium albo Edge do raportów PDF (opcjonalna)
Obrazy wskazane w ${IMAGE_ENV.registry}, ${IMAGE_ENV.sandbox} i ${IMAGE_ENV.buildkit}
są sprawdzane zamiast domyślnych. grader doctor niczego nie pobiera ani nie buduje.

Opcje:
  --json      wynik jako JSON (stały format, naprawy dla wszystkich trzech systemów):
              {"ok": true|false, "checks": [{"id", "title", "required", "ok", "detail",
               "fix": {"linux", "darwin", "win32"} (tylko gdy ok = false),
               "skipped": true (tylko gdy nie sprawdzono, bo silnik Dockera nie odpowiada)}]}
  -h, --help  ta pomoc

Przykłady:
  grader doctor
  grader doctor --json > doctor.json    # np. do zgłoszenia problemu prowadzącemu

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
  const checks = await diagnose({ docker: new DockerCli({ signal: ctx.signal, timeoutMs: 30_000 }) });
  const ok = allRequiredOk(checks);
  if (values.json) console.log(JSON.stringify({ ok, checks }, null, 2));
  else console.log(formatReport(checks, ok));
  return ok ? ExitCode.ok : ExitCode.infrastructure;
}

export function allRequiredOk(checks: Prerequisite[]): boolean {
  return checks.every((c) => c.ok || !c.required);
}

interface CheckSpec {
  id: CheckId;
  title: string;
  required: boolean;
  fix: Fix;
  /** Asks the engine: skipped, not failed with its own fix, when the engine does not answer. */
  needsEngine: boolean;
  probe: () => Promise<Verdict>;
}

/** Runs every check; a failing one never stops the others. */
export async function diagnose(options: DoctorOptions): Promise<Prerequisite[]> {
  const { docker } = options;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  let engine: EngineVersion | undefined;
  const [engineCheck, browser] = await Promise.all([
    runCheck({
      id: 'engine', title: 'Silnik Dockera', required: true, fix: FIXES.engine, needsEngine: false,
      probe: async () => {
        engine = await docker.version();
        return { ok: true, detail: engineDetail(engine) };
      },
    }, false),
    findBrowser(env, platform),
  ]);

  const image = (kind: RuntimeImageKind, id: CheckId, title: string): CheckSpec => {
    const ref = runtimeImage(kind, undefined, env);
    return {
      id, title, required: true, fix: imageFix(kind, ref), needsEngine: true,
      probe: async () => imageVerdict(kind, ref, await docker.imageExists(ref)),
    };
  };
  const specs: CheckSpec[] = [
    {
      id: 'buildx', title: 'Docker Buildx', required: true, fix: FIXES.buildx, needsEngine: false,
      probe: async () => buildxVerdict((await docker.buildxVersion()).version),
    },
    image('buildkit', 'docker-container-driver', 'Sterownik docker-container (obraz BuildKit)'),
    {
      id: 'containerd-store', title: 'Magazyn obrazów containerd', required: false, fix: FIXES['containerd-store'], needsEngine: true,
      probe: async () => containerdStoreVerdict(await docker.info()),
    },
    {
      id: 'arm64', title: 'Budowanie linux/amd64 i linux/arm64', required: true, fix: FIXES.arm64, needsEngine: true,
      probe: async () => arm64Verdict(await docker.inspectBuilder('default'), engine?.arch),
    },
    image('registry', 'registry-image', 'Obraz rejestru registry7'),
    image('sandbox', 'sandbox-image', 'Obraz piaskownicy (skrypt usuwania studenta)'),
    {
      id: 'browser', title: 'Przeglądarka do raportów PDF (Chrome, Chromium, Edge)', required: false,
      fix: browserFix(browser, browserCandidates(platform, env).variable !== undefined), needsEngine: false,
      probe: async () => (browser.found ? { ok: true, detail: browser.path } : { ok: false, detail: browser.problem }),
    },
    {
      // Without OCR, screenshots in reports are left "do sprawdzenia ręcznie": grading still works.
      id: 'ocr', title: 'OCR zrzutów ekranu w sprawozdaniach (tesseract)', required: false, fix: FIXES.ocr, needsEngine: false,
      probe: async () => {
        const found = await (options.ocr ?? ocrAvailability)();
        return found.ok ? { ok: true, detail: 'tesseract z danymi pol i eng' } : { ok: false, detail: found.message };
      },
    },
  ];
  return [engineCheck, ...(await Promise.all(specs.map((s) => runCheck(s, engineCheck.ok))))];
}

async function runCheck(spec: CheckSpec, engineUp: boolean): Promise<Prerequisite> {
  const { id, title, required, fix, needsEngine, probe } = spec;
  if (needsEngine && !engineUp) return { id, title, required, ok: false, detail: 'nie sprawdzono: silnik Dockera nie odpowiada', skipped: true };
  const verdict = await probe().catch((error: unknown): Verdict => ({ ok: false, detail: errorDetail(error) }));
  return verdict.ok ? { id, title, required, ...verdict } : { id, title, required, ...verdict, fix };
}

// ---------------------------------------------------------------- pure verdicts and fixes

/** The OS whose fixes apply here; other Unixes get the Linux ones. */
export function hostOs(platform: NodeJS.Platform): Os {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

const sameFix = (text: string): Fix => ({ linux: text, darwin: text, win32: text });
const perOs = (text: (os: Os) => string): Fix => ({ linux: text('linux'), darwin: text('darwin'), win32: text('win32') });

const DESKTOP_UPDATE = 'Zaktualizuj Docker Desktop (menu Docker → Check for updates) i uruchom go ponownie';
const BINFMT = 'docker run --privileged --rm tonistiigi/binfmt --install arm64';

export const FIXES: Record<'engine' | 'buildx' | 'containerd-store' | 'arm64' | 'ocr', Fix> = {
  ocr: {
    linux: 'sudo apt-get install tesseract-ocr tesseract-ocr-pol tesseract-ocr-eng poppler-utils (bez tego zrzuty ekranu i PDF-y bez tekstu są „do sprawdzenia ręcznie”)',
    darwin: 'brew install tesseract tesseract-lang poppler (bez tego zrzuty ekranu i PDF-y bez tekstu są „do sprawdzenia ręcznie”)',
    win32: 'winget install UB-Mannheim.TesseractOCR (z danymi pol i eng) i dodaj go do PATH (bez tego zrzuty ekranu są „do sprawdzenia ręcznie”)',
  },
  engine: {
    linux: 'Uruchom silnik: sudo systemctl start docker. Nie masz Dockera: zainstaluj Docker Engine (Debian, Ubuntu: ' +
      'sudo apt-get install docker.io docker-buildx; inne dystrybucje: https://docs.docker.com/engine/install/; maszyna ' +
      'do oceniania: npm run setup). Przy „permission denied”: sudo usermod -aG docker $USER i zaloguj się ponownie. ' +
      'Sprawdź też zmienną DOCKER_HOST i docker context ls.',
    darwin: 'Uruchom Docker Desktop (open -a Docker) i poczekaj, aż pokaże „Engine running”. Nie masz Dockera: zainstaluj ' +
      'Docker Desktop (https://docs.docker.com/desktop/setup/install/mac-install/). Sprawdź też zmienną DOCKER_HOST i docker context ls.',
    win32: 'Uruchom Docker Desktop (menu Start) i poczekaj, aż pokaże „Engine running”. Nie masz Dockera: zainstaluj ' +
      'Docker Desktop z backendem WSL 2 (winget install Docker.DockerDesktop). Sprawdź też zmienną DOCKER_HOST i docker context ls.',
  },
  buildx: {
    linux: `Zainstaluj albo zaktualizuj buildx (co najmniej ${MIN_BUILDX}): Debian, Ubuntu: sudo apt-get install docker-buildx ` +
      '(z repozytorium Dockera: docker-buildx-plugin); albo zapisz plik z https://github.com/docker/buildx/releases ' +
      'jako ~/.docker/cli-plugins/docker-buildx i nadaj mu prawo wykonywania (chmod +x).',
    darwin: `${DESKTOP_UPDATE}: buildx jest jego częścią (potrzebny co najmniej ${MIN_BUILDX}).`,
    win32: `${DESKTOP_UPDATE}: buildx jest jego częścią (potrzebny co najmniej ${MIN_BUILDX}).`,
  },
  'containerd-store': {
    linux: 'Dopisz do /etc/docker/daemon.json { "features": { "containerd-snapshotter": true } } i uruchom silnik ponownie: ' +
      'sudo systemctl restart docker (obrazy z dotychczasowego magazynu przestaną być widoczne). Potrzebny tylko do --isolation prune.',
    darwin: 'Docker Desktop: Settings → General → „Use containerd for pulling and storing images” → Apply & restart. Potrzebny tylko do --isolation prune.',
    win32: 'Docker Desktop: Settings → General → „Use containerd for pulling and storing images” → Apply & restart. Potrzebny tylko do --isolation prune.',
  },
  arm64: {
    linux: `Zarejestruj emulację QEMU w binfmt_misc: ${BINFMT} (na komputerze arm64: --install amd64) albo z pakietów ` +
      'Debiana, Ubuntu: sudo apt-get install qemu-user-static binfmt-support; potem sudo systemctl restart docker.',
    darwin: 'Docker Desktop ma emulację wbudowaną (QEMU; na Apple Silicon amd64 także przez Rosetta: Settings → General → ' +
      `„Use Rosetta for x86_64/amd64 emulation on Apple Silicon”). ${DESKTOP_UPDATE}.`,
    win32: `Docker Desktop (WSL 2) ma emulację QEMU wbudowaną: przełącz go na kontenery Linux (Switch to Linux containers). ${DESKTOP_UPDATE}. ` +
      `Docker Engine zainstalowany w WSL bez Docker Desktop: uruchom w WSL ${BINFMT}.`,
  },
};

const SANDBOX_BASE = /^FROM (\S+)/m.exec(SANDBOX_DOCKERFILE)?.[1] ?? 'alpine';

/** The grader gets a missing image on first use: built for the default sandbox, else pulled. */
const builtOnFirstUse = (kind: RuntimeImageKind, ref: string): boolean => kind === 'sandbox' && ref === DEFAULT_IMAGES.sandbox;

/** How to get an image by hand (shown only when its check could not run to the end). */
export function imageFix(kind: RuntimeImageKind, ref: string): Fix {
  const get = builtOnFirstUse(kind, ref)
    ? `Grader sam zbuduje obraz ${ref} przy pierwszej ocenie (potrzebny internet: ${SANDBOX_BASE} z Docker Hub)`
    : `Pobierz obraz: docker pull ${ref}`;
  const variable = IMAGE_ENV[kind];
  return perOs((os) => `${get}; bez internetu wskaż jego kopię w lokalnym rejestrze lub mirrorze: ` +
    (os === 'win32' ? `$env:${variable} = "HOST/ŚCIEŻKA:TAG" (PowerShell).` : `export ${variable}=HOST/ŚCIEŻKA:TAG.`));
}

/** The browser's fix: a variable naming a missing file is fixed the same way everywhere. */
export function browserFix(lookup: BrowserLookup, namedByVariable: boolean): Fix {
  return !lookup.found && namedByVariable ? sameFix(lookup.fix) : perOs(installHint);
}

export function engineDetail(v: EngineVersion): string {
  return `Docker Engine ${v.server ?? '?'} (API ${v.apiVersion ?? '?'}, ${v.os ?? '?'}/${v.arch ?? '?'}; klient ${v.client})`;
}

export function buildxVerdict(version: string): Verdict {
  return compareVersions(version, MIN_BUILDX) >= 0
    ? { ok: true, detail: `buildx ${version} (wymagany co najmniej ${MIN_BUILDX})` }
    : { ok: false, detail: `buildx ${version} jest za stary: wymagany co najmniej ${MIN_BUILDX}` };
}

export function containerdStoreVerdict(info: Pick<EngineInfo, 'containerdStore' | 'storageDriver'>): Verdict {
  return info.containerdStore
    ? { ok: true, detail: `włączony (sterownik ${info.storageDriver}): można użyć --isolation prune` }
    : { ok: false, detail: `wyłączony (sterownik ${info.storageDriver}): potrzebny tylko do --isolation prune, domyślna izolacja działa bez niego` };
}

/** Both lab platforms on the default builder: one native, the other emulated (or a native node). */
export function arm64Verdict(builder: BuilderInfo | undefined, hostArch?: string): Verdict {
  if (!builder) return { ok: false, detail: 'brak buildera „default” (docker buildx ls)' };
  const platforms = builderPlatforms(builder);
  const listed = `platformy buildera default: ${platforms.join(', ') || 'brak'}`;
  const missing = LAB_PLATFORMS.filter((p) => !platforms.includes(p));
  if (missing.length > 0) return { ok: false, detail: `builder default nie buduje ${missing.join(' ani ')}; ${listed}` };
  const native = `linux/${hostArch}`;
  if (!LAB_PLATFORMS.includes(native)) return { ok: true, detail: listed };
  const emulated = LAB_PLATFORMS.filter((p) => p !== native);
  return { ok: true, detail: `${native} natywnie, ${emulated.join(', ')} przez emulację (${listed})` };
}

/** A runtime image is never a failure: missing ones are pulled (or built) on first use. */
export function imageVerdict(kind: RuntimeImageKind, ref: string, present: boolean): Verdict {
  if (present) return { ok: true, detail: `${ref} jest lokalnie${kind === 'buildkit' ? ': domyślna izolacja (container) gotowa' : ''}` };
  return {
    ok: true,
    detail: `${ref} nie ma lokalnie: ` + (builtOnFirstUse(kind, ref)
      ? `grader zbuduje go z ${SANDBOX_BASE} przy pierwszej ocenie (potrzebny internet)`
      : `grader pobierze go przy pierwszej ocenie (docker pull ${ref}; potrzebny internet)`),
  };
}

/** An error's message without DockerCli's Debian setup advice: the per-OS fix replaces it. */
export function errorDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*(?:Uruchom go|Zainstaluj(?: stos)?): npm run setup\.?$/, '');
}

/** Human-readable report: one line per check, the fix for this OS under each failing one. */
export function formatReport(checks: Prerequisite[], ok: boolean, platform: NodeJS.Platform = process.platform): string {
  const os = hostOs(platform);
  const lines = [`Wymagania buildx-grader (${OS_NAMES[os]}):`];
  for (const c of checks) {
    const mark = c.ok ? 'ok  ' : c.skipped ? '?   ' : c.required ? 'BRAK' : 'brak';
    lines.push(`  ${mark}  ${c.title}: ${c.detail}${c.required ? '' : ' (opcjonalne)'}`);
    if (c.fix) lines.push(`        naprawa: ${c.fix[os]}`);
  }
  lines.push('', ok ? 'Wszystkie wymagane elementy działają.' : 'Brakuje wymaganych elementów: ocenianie nie zadziała, dopóki ich nie naprawisz.');
  if (checks.some((c) => c.skipped)) lines.push('Elementów oznaczonych „?” nie sprawdzono: uruchom grader doctor ponownie, gdy silnik Dockera zacznie odpowiadać.');
  return lines.join('\n');
}
