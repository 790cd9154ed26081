/**
 * The size cap of a build log as a pure unit: lines in, file text out. build-runner.ts
 * streams the text to the log file.
 *
 * A log within the cap is kept whole. Past it the file is: the head, one marker line, the
 * BuildKit status lines of the cut middle, the tail, never more than the cap plus the marker.
 * Budget: half for the head, because it names the steps (`#N [platform stage i/n]`) that
 * later status lines refer to and holds the early errors; at most a quarter for middle status
 * lines (CACHED/DONE of steps that finished during a flood), which are short, so a quarter
 * holds tens of thousands; the rest, at least a quarter, for the tail, which is the result
 * (cache export, push, naming, the final error with its context) and is a few KB in a
 * normal build.
 */
import { formatBytes } from '../bonus/format.ts';
import { plural } from '../submission/json-input.ts';
import { keep } from '../build-log/lines.ts';

/**
 * BuildKit's own status lines in `--progress=plain` that prove a result. A RUN step's output
 * is always printed as `#N <seconds> <text>`, so a digit right after the vertex id is never
 * status, whatever the text says; a `\r` never occurs in a status line but lets RUN output
 * redraw itself over its prefix in a terminal.
 */
const STATUS_LINE = new RegExp(`^#\\d+ (?:${[
  String.raw`\[`, // step header: "#7 [linux/arm64 build 2/3] RUN ..."
  String.raw`CACHED$`,
  String.raw`DONE \d+(?:\.\d+)?s$`,
  String.raw`ERROR\b`,
  String.raw`CANCELED\b`,
  'importing cache manifest ',
  'exporting ', // exporting cache / layers / manifest (list) / to image
  'preparing build cache for export',
  'writing cache (?:image )?manifest ',
  'pushing ', // pushing layers / pushing manifest for ...
  'naming to ',
].join('|')})`);

export function isStatusLogLine(line: string): boolean {
  return !line.includes('\r') && STATUS_LINE.test(line);
}

export interface LogCapEnd {
  /** The rest of the file: marker, middle status lines and tail (or just the lines after the head). */
  text: string;
  droppedLines: number;
  droppedBytes: number;
}

export class LogCap {
  private readonly headMax: number;
  private readonly middleMax: number;
  private headBytes = 0;
  private headLines = 0;
  private headOpen = true;
  private readonly middle: string[] = [];
  private middleBytes = 0;
  // Ring of the latest lines: tail[tailStart..] is live, compacted once half is dead.
  private tail: string[] = [];
  private tailStart = 0;
  private tailBytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;

  constructor(private readonly maxBytes: number) {
    this.headMax = Math.floor(maxBytes / 2);
    this.middleMax = Math.floor(maxBytes / 4);
  }

  /** Returns what may be appended to the file now: the line while the head has room, else ''. */
  add(line: string): string {
    const size = lineBytes(line);
    if (this.headOpen) {
      if (this.headBytes + size <= this.headMax) {
        this.headBytes += size;
        this.headLines++;
        return line + '\n';
      }
      this.headOpen = false; // a later shorter line must not jump ahead of this one
    }
    this.tail.push(line);
    this.tailBytes += size;
    // The tail gets whatever the head and the middle do not use, so the total stays within the cap.
    while (this.tailBytes > this.maxBytes - this.headBytes - this.middleBytes) this.evictOldest();
    return '';
  }

  /** Ends the log: the text after the head. */
  end(): LogCapEnd {
    const tail = this.tail.slice(this.tailStart);
    // concat, not push(...): a flood's tail is hundreds of thousands of lines, past the call stack.
    let parts: string[] = [];
    if (this.droppedLines > 0) {
      const n = this.droppedLines;
      parts.push(
        `[buildx-grader] pominięto ${n} ${plural(n, 'linię', 'linie', 'linii')}, ${formatBytes(this.droppedBytes)}, ` +
        `ze środka logu od linii ${this.headLines + 1}, przy limicie logu ${formatBytes(this.maxBytes)}; dalej: ` +
        `linie statusu BuildKit z pominiętej części (${this.middle.length}), potem koniec logu ` +
        `(${tail.length} ${plural(tail.length, 'linia', 'linie', 'linii')})`,
      );
      parts = parts.concat(this.middle);
    }
    parts = parts.concat(tail);
    return {
      text: parts.length > 0 ? parts.join('\n') + '\n' : '',
      droppedLines: this.droppedLines,
      droppedBytes: this.droppedBytes,
    };
  }

  private evictOldest(): void {
    const line = this.tail[this.tailStart] as string;
    this.tail[this.tailStart++] = '';
    const size = lineBytes(line);
    this.tailBytes -= size;
    if (this.middleBytes + size <= this.middleMax && isStatusLogLine(line)) {
      // A copy: a substring would keep its whole read chunk alive (see keep()).
      this.middle.push(keep(line));
      this.middleBytes += size;
    } else {
      this.droppedLines++;
      this.droppedBytes += size;
    }
    if (this.tailStart > 1024 && this.tailStart * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }
}

/** A whole log through the cap: the file's text. */
export function capLogText(lines: Iterable<string>, maxBytes: number): string {
  const cap = new LogCap(maxBytes);
  let text = '';
  for (const line of lines) text += cap.add(line);
  return text + cap.end().text;
}

function lineBytes(line: string): number {
  return Buffer.byteLength(line) + 1;
}
