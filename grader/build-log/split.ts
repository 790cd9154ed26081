/**
 * Splits text that arrives in chunks into lines: `\n` ends a line and a `\r` just before
 * it is dropped (CRLF from Windows terminals and `script`). A lone `\r` does NOT end a
 * line: BuildKit never writes one, only the programs a RUN step starts do, and splitting
 * there would turn `printf '\r#9 CACHED'` in a step's output into a status line of its
 * own (normalizeLine decides what a line with a lone `\r` says). A last line without a
 * break counts only when it is not empty. parseBuildLog (whole text) and
 * parseBuildLogFile (1 MiB chunks) both go through this splitter, so line numbers agree.
 */

const CR = 0x0d;
/** A longer unfinished line is cut here: memory stays flat on a log without line breaks. */
const MAX_CARRY = 64 * 1024;

export class LineSplitter {
  /** Text after the last `\n` seen: the line may continue in the next chunk. */
  private carry = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: string): void {
    const text = this.carry === '' ? chunk : this.carry + chunk;
    let start = 0;
    for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
      const end = lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      this.onLine(text.slice(start, end));
      start = lf + 1;
    }
    this.carry = text.length - start > MAX_CARRY ? text.slice(start, start + MAX_CARRY) : text.slice(start);
  }

  /** Flushes the last line (the text ends without a line break). */
  end(): void {
    const text = this.carry.charCodeAt(this.carry.length - 1) === CR ? this.carry.slice(0, -1) : this.carry;
    this.carry = '';
    if (text !== '') this.onLine(text);
  }
}
