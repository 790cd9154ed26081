/** `grader log`: what a saved or pasted build log proves (format, driver, cache import/export, CACHED, failure). */
import { readFile, stat } from 'node:fs/promises';
import { describeLog, readBuildLog } from '../build-log/summary.ts';
import { ExitCode, InputError } from '../errors.ts';
import { redact } from '../util/redact.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';

export const HELP = `Użycie: grader log <plik-logu> [--json]

Pokazuje, co dowodzi zapisany albo wklejony log „docker buildx build”: format
(--progress=plain, tty albo rawjson), sterownik buildera, import i eksport cache,
ile kroków Dockerfile było CACHED dla każdej platformy i czy budowanie się nie
powiodło. Czyta logi z kodami ANSI, końcami wierszy CRLF, BOM, UTF-16 (PowerShell)
i znacznikami czasu CI. Nie potrzebuje Dockera.

Opcje:
  --json       jeden obiekt JSON na standardowym wyjściu (stały format, opisany w README):
               {"format", "driver", "imported", "exported", "platforms", "failed", "failedStep"}
  -h, --help   ta pomoc

Przykłady:
  docker buildx build --progress=plain ... 2> build.log && grader log build.log
  grader log ~/prace/s12345/logi/budowanie2.txt --json > log.json
  grader log build.jsonl --json          (log z --progress=rawjson)

Kody wyjścia: 0 odczytano (także log nieudanego budowania), 2 brak pliku, katalog,
plik nie jest tekstem, jest za duży albo nie ma w nim logu budowania.`;

/** Bigger files are refused before they are read. */
export const LOG_MAX_BYTES = 200 * 1024 * 1024;
/** NUL bytes in this many leading bytes mean binary data (UTF-16 is recognised by its BOM first). */
const SNIFF_BYTES = 8192;

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, 'log');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new InputError(positionals.length === 0 ? 'Podaj plik z logiem budowania, np. grader log build.log' : `Polecenie log czyta jeden plik, podano ${positionals.length}.`);
  }
  const file = positionals[0]!;
  const reading = readBuildLog(decode(await readLogFile(file), file));
  if (!reading.recognized) {
    throw new InputError(`W pliku ${file} nie ma logu docker buildx build: ani wierszy „#N …” (--progress=plain), ani ramek „=> …” (tty), ani obiektów JSON z --progress=rawjson.`);
  }
  if (values.json) console.log(redact(JSON.stringify(reading.summary, null, 2)));
  else console.log(describeLog(reading, file).map(redact).join('\n'));
  return ExitCode.ok;
}

/** The file's bytes; its size is checked first, so a huge file is refused without being read. */
async function readLogFile(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new InputError(`${file} jest katalogiem, nie plikiem. Podaj plik z logiem budowania, np. build.log.`);
    if (!info.isFile()) throw new InputError(`${file} nie jest zwykłym plikiem. Podaj plik z logiem budowania, np. build.log.`);
    if (info.size > LOG_MAX_BYTES) {
      throw new InputError(
        `Plik ${file} ma ${mib(info.size)} MiB — więcej niż ${mib(LOG_MAX_BYTES)} MiB, które czyta grader log. ` +
          'Zapisz log jednego budowania (np. 2> build.log) albo wytnij z niego potrzebny fragment.',
      );
    }
    return await readFile(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'plik nie istnieje' : code === 'EACCES' ? 'brak uprawnień do odczytu' : (error as Error).message;
    throw new InputError(`Nie można odczytać logu ${file}: ${why}.`, [], { cause: error });
  }
}

/** UTF-16 with a BOM (PowerShell's `>`), else UTF-8 (a BOM dropped, bad bytes replaced). */
function decode(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) {
    throw new InputError(`Plik ${file} nie jest plikiem tekstowym (zawiera bajty NUL). Podaj log zapisany jako tekst, np. 2> build.log.`);
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}
