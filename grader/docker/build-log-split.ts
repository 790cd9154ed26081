/**
 * Splits text that arrives in chunks into lines, with the line breaks of node:readline
 * (`crlfDelay: Infinity`): `\r\n`, `\n` and a lone `\r` each end a line, and a last line
 * without a break counts only when it is not empty. The parser used readline before; line
 * numbers in results must not change, and parseBuildLog (whole text) and
 * parseBuildLogFile (1 MiB chunks) must agree, so both go through this one splitter.
 *
 * It is faster than readline because it works on big chunks with indexOf and calls the
 * consumer synchronously (readline's async iterator costs a promise per line).
 */

const CR = 0x0d;

export class LineSplitter {
  /** Text after the last `\n` seen: the line may continue in the next chunk. */
  private carry = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: string): void {
    const text = this.carry === '' ? chunk : this.carry + chunk;
    const lastLf = text.lastIndexOf('\n');
    if (lastLf < 0) {
      // No complete line yet. A trailing `\r` must wait too: the next chunk may start with `\n`.
      this.carry = text;
      return;
    }
    this.carry = text.slice(lastLf + 1);
    this.splitComplete(text, lastLf);
  }

  /** Flushes the last line (the text ends without a line break). */
  end(): void {
    const text = this.carry;
    this.carry = '';
    if (text === '') return;
    let start = 0;
    for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', start)) {
      this.onLine(text.slice(start, cr));
      start = cr + 1;
    }
    if (start < text.length) this.onLine(text.slice(start));
  }

  /** Emits every line of `text` up to the `\n` at `lastLf`. */
  private splitComplete(text: string, lastLf: number): void {
    // Position of the next `\r` at or after `start`, found once and reused until passed:
    // searching again for every line would rescan to the end of a chunk that has none.
    let nextCr = -1;
    let start = 0;
    while (start <= lastLf) {
      const lf = text.indexOf('\n', start);
      let end = lf;
      if (end > start && text.charCodeAt(end - 1) === CR) end--; // `\r\n`
      if (nextCr < start) {
        nextCr = text.indexOf('\r', start);
        if (nextCr < 0) nextCr = text.length;
      }
      if (nextCr < end) {
        this.emitWithLoneCrs(text, start, end);
      } else {
        this.onLine(text.slice(start, end));
      }
      start = lf + 1;
    }
  }

  /** A segment without `\n` whose every `\r` is a line break of its own (tty redraws). */
  private emitWithLoneCrs(text: string, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) === CR) {
        this.onLine(text.slice(start, i));
        start = i + 1;
      }
    }
    this.onLine(text.slice(start, end));
  }
}
