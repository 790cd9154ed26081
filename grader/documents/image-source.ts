/**
 * The bytes of an image a report shows: a file of the repository (never outside it, symlinks
 * included), a data: URI, or, only with the instructor's option, an https:// download bounded in
 * time, size and type that never reaches the grading machine's own network (loopback, private
 * ranges). Every source ends in the same check: the bytes must be PNG, JPEG, GIF or WebP within
 * the size limits.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { fetchWithin } from '../util/fetch-within.ts';
import { pinnedFetch, type Pin } from './pinned-fetch.ts';
import { locateInside, readAtMost } from './files.ts';
import { IMAGE_TYPES, sniffImage, type ImageFormat } from './image-format.ts';
import type { DocumentLimits, LimitHit } from './limits.ts';
import { imageOverLimit, type ImageInput, type ImageProblem } from './types.ts';

export interface RemoteImageOptions {
  /** The instructor's explicit consent to download images the report links to. */
  enabled: boolean;
  /**
   * Origins ("http://127.0.0.1:8080") fetched even though they are plain http or on a loopback
   * or private address: the tests' loopback server, a mirror on the instructor's network.
   */
  trustedOrigins?: string[];
}

export interface ImageSourceOptions {
  /** The repository: local images are read only from inside it. */
  root: string;
  /** Folder of the report inside `root`: relative image paths start there. */
  reportDir: string;
  remote?: RemoteImageOptions;
  limits: DocumentLimits;
  signal?: AbortSignal;
}

export type ImageOrigin = 'embedded' | 'data' | 'local' | 'remote' | 'unsupported';

export type LoadedImage =
  | { ok: true; bytes: Uint8Array; format: ImageFormat }
  /** 'skipped': refused without trying to read; 'unreadable': reading was tried and failed. */
  | { ok: false; status: 'skipped' | 'unreadable'; problem: ImageProblem };

/** Where an image's bytes would come from, decided from the reference alone. */
export function imageOrigin(input: ImageInput): ImageOrigin {
  if (input.bytes) return 'embedded';
  const ref = input.ref.trim();
  if (/^data:/i.test(ref)) return 'data';
  if (/^https?:\/\//i.test(ref)) return 'remote';
  // Any other scheme (file:, ftp:), a Windows drive path or a UNC path is not in the repository.
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || /^\\\\/.test(ref)) return 'unsupported';
  return 'local';
}

/** What identifies an image, so two references to it are read once: a repository path as resolved, else the reference. */
export function imageKey(input: ImageInput, opts: Pick<ImageSourceOptions, 'root' | 'reportDir'>): unknown {
  if (input.bytes) return input.bytes;
  const ref = input.ref.trim();
  const relative = imageOrigin(input) === 'local' ? localPath(ref) : undefined;
  if (relative === undefined) return ref;
  return `file:${localCandidate(relative, opts)}`;
}

/** GitHub resolves "/img/a.png" from the repository root, anything else from the report's folder. */
function localCandidate(relative: string, opts: Pick<ImageSourceOptions, 'root' | 'reportDir'>): string {
  return relative.startsWith('/') ? path.join(opts.root, relative) : path.resolve(opts.reportDir, relative);
}

/** The image's bytes after every check, or why there are none. */
export async function loadImage(input: ImageInput, opts: ImageSourceOptions): Promise<LoadedImage> {
  switch (imageOrigin(input)) {
    case 'embedded':
      return checkBytes(input.bytes!, opts.limits);
    case 'data':
      return fromDataUri(input.ref.trim(), opts.limits);
    case 'local':
      return readLocal(input.ref.trim(), opts);
    case 'remote':
      return fetchRemote(input.ref.trim(), opts);
    case 'unsupported':
      return skipped(
        'unsupported-address',
        /^(?:[a-z]:[\\/]|file:|\\\\)/i.test(input.ref.trim())
          ? 'Obraz wskazuje plik na komputerze autora sprawozdania, a nie w repozytorium.'
          : 'Grader odczytuje obrazy z repozytorium, z adresów https:// i z adresów data:, a ten adres nie jest żadnym z nich.',
      );
  }
}

/** The bytes must be an image of an accepted type whose declared size stays within the limits. */
function checkBytes(bytes: Uint8Array, limits: DocumentLimits, declaredType?: string): LoadedImage {
  if (bytes.byteLength > limits.imageBytes) return overLimit({ name: 'imageBytes', max: limits.imageBytes, actual: bytes.byteLength });
  const format = sniffImage(bytes);
  if (!format) {
    return skipped('wrong-type', `Plik nie jest obrazem PNG, JPEG, GIF ani WebP${declaredType ? ` (podany typ: ${declaredType})` : ''}; grader odczytuje tylko takie obrazy.`);
  }
  if (format.width === 0 || format.height === 0) return unreadable('damaged', 'Nagłówek obrazu podaje zerowy rozmiar; obraz jest uszkodzony.');
  const pixels = format.width * format.height;
  if (pixels > limits.imagePixels) return overLimit({ name: 'imagePixels', max: limits.imagePixels, actual: pixels });
  return { ok: true, bytes, format };
}

function fromDataUri(ref: string, limits: DocumentLimits): LoadedImage {
  const match = /^data:([^,;]*)((?:;[^,;]*)*?);base64,/i.exec(ref);
  if (!match) return skipped('wrong-type', 'Obraz w adresie data: musi być zakodowany w base64.');
  const payload = ref.slice(match[0].length).replace(/\s+/g, '');
  // Checked on the encoded length: a huge URI is refused before it is decoded.
  const decodedBytes = Math.floor((payload.length * 3) / 4);
  if (decodedBytes > limits.imageBytes) return overLimit({ name: 'imageBytes', max: limits.imageBytes, actual: decodedBytes });
  return checkBytes(Buffer.from(payload, 'base64'), limits, match[1] || undefined);
}

async function readLocal(ref: string, opts: ImageSourceOptions): Promise<LoadedImage> {
  const relative = localPath(ref);
  if (relative === undefined) return skipped('unsupported-address', `Ścieżka obrazu „${ref}” jest niepoprawna.`);
  const located = await locateInside(opts.root, localCandidate(relative, opts));
  if (!located.ok) {
    switch (located.reason) {
      case 'outside-repository':
        return skipped('outside-repository', `Obraz „${ref}” leży poza repozytorium; grader czyta tylko pliki repozytorium.`);
      case 'missing':
        return unreadable('missing', `Nie ma pliku „${ref}” w repozytorium.`);
      case 'not-a-file':
        return unreadable('not-a-file', `„${ref}” nie jest zwykłym plikiem.`);
    }
  }
  if (located.size > opts.limits.imageBytes) return overLimit({ name: 'imageBytes', max: opts.limits.imageBytes, actual: located.size });
  try {
    return checkBytes(await readAtMost(located.real, opts.limits.imageBytes + 1), opts.limits);
  } catch (error) {
    return unreadable('missing', `Nie udało się odczytać pliku „${ref}”: ${errorText(error)}.`);
  }
}

/** A Markdown image target as a repository path: no query or fragment, percent-decoding undone. */
function localPath(ref: string): string | undefined {
  const bare = ref.replace(/[?#].*$/s, '').replace(/\\/g, '/');
  try {
    const decoded = decodeURIComponent(bare);
    return decoded === '' || decoded.includes('\0') ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/** Loopback, private, link-local, shared, benchmark, multicast and reserved ranges: the grading machine's own network. */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address belongs to the grading machine's own network (IPv4-mapped IPv6 included). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  return family === 0 || INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function fetchRemote(ref: string, opts: ImageSourceOptions): Promise<LoadedImage> {
  if (!opts.remote?.enabled) {
    return skipped('remote-disabled', 'Obraz jest w internecie, a pobieranie obrazów z internetu jest wyłączone (prowadzący może je włączyć).');
  }
  const { limits } = opts;
  const trusted = new Set((opts.remote.trustedOrigins ?? []).map((o) => new URL(o).origin));
  const deadline = AbortSignal.timeout(limits.remoteTimeMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    return skipped('unsupported-address', `Adres obrazu „${ref}” jest niepoprawny.`);
  }
  try {
    for (let redirects = 0; ; redirects++) {
      const checked = await checkAddress(url, trusted, signal);
      if ('refused' in checked) return checked.refused;
      // Connect to the address just checked: a second DNS answer cannot point the request elsewhere.
      const response = await fetchWithin(pinnedFetch(checked.pin), url, { headers: { accept: IMAGE_TYPES.join(', ') } }, limits.remoteTimeMs, signal);
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) return unreadable('fetch-failed', `Serwer obrazu odpowiedział przekierowaniem ${response.status} bez adresu.`);
        if (redirects >= limits.remoteRedirects) return overLimit({ name: 'remoteRedirects', max: limits.remoteRedirects });
        url = new URL(location, url);
        continue;
      }
      return await readResponse(response, limits);
    }
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (deadline.aborted) return { ok: false, status: 'unreadable', problem: imageOverLimit({ name: 'remoteTimeMs', max: limits.remoteTimeMs }) };
    return unreadable('fetch-failed', `Nie udało się pobrać obrazu z ${url.host}: ${errorText(error)}.`);
  }
}

/** Why the URL must not be fetched, or the address to connect to (none for a trusted origin: its own lookup). */
async function checkAddress(url: URL, trusted: Set<string>, signal: AbortSignal): Promise<{ refused: LoadedImage } | { pin?: Pin }> {
  if (trusted.has(url.origin)) return {};
  if (url.protocol !== 'https:') return { refused: skipped('unsupported-address', `Obrazy z internetu są pobierane tylko przez https://, a adres to ${url.protocol}//${url.host}.`) };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await abortable(lookup(host, { all: true, verbatim: true }), signal).then((all) => all.map((a) => a.address));
  if (addresses.length === 0) return { refused: unreadable('fetch-failed', `Nie znaleziono adresu serwera ${url.host}.`) };
  if (addresses.some(isInternalAddress)) {
    return { refused: skipped('blocked-address', `Adres obrazu ${url.host} prowadzi do sieci komputera prowadzącego (adres lokalny lub prywatny); takich obrazów grader nie pobiera.`) };
  }
  const address = addresses[0]!;
  return { pin: { address, family: isIP(address) === 6 ? 6 : 4 } };
}

async function readResponse(response: Response, limits: DocumentLimits): Promise<LoadedImage> {
  if (!response.ok) {
    await response.body?.cancel();
    return unreadable('fetch-failed', `Serwer obrazu odpowiedział HTTP ${response.status}${response.status === 404 ? ' (brak obrazu albo obraz prywatny)' : ''}.`);
  }
  const declared = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(IMAGE_TYPES as readonly string[]).includes(declared)) {
    await response.body?.cancel();
    return skipped('wrong-type', `Serwer podał typ „${declared || 'brak'}”, a grader pobiera tylko obrazy PNG, JPEG, GIF i WebP.`);
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (length > limits.imageBytes) {
    await response.body?.cancel();
    return overLimit({ name: 'imageBytes', max: limits.imageBytes, actual: length });
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
    total += chunk.value.byteLength;
    // Content-Length may be absent or false: the stream itself is cut at the limit.
    if (total > limits.imageBytes) {
      await reader!.cancel();
      return overLimit({ name: 'imageBytes', max: limits.imageBytes });
    }
    chunks.push(chunk.value);
  }
  return checkBytes(Buffer.concat(chunks), limits, declared);
}

/** dns.lookup cannot be cancelled; the wait for it can. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

const overLimit = (limit: LimitHit): LoadedImage => ({ ok: false, status: 'skipped', problem: imageOverLimit(limit) });
const skipped = (reason: ImageProblem['reason'], message: string): LoadedImage => ({ ok: false, status: 'skipped', problem: { reason, message } });
const unreadable = (reason: ImageProblem['reason'], message: string): LoadedImage => ({ ok: false, status: 'unreadable', problem: { reason, message } });
