/**
 * Follows a file another process appends to and hands its lines (split on `\n`) to a callback.
 * buildx writes its log to a file rather than a pipe: a pipe blocks its printer whenever we
 * read slower than it writes, and a buildx client more than ~3 s behind BuildKit at the end of
 * a build has its status stream cancelled ("failed to receive status: ... context canceled"),
 * which fails a build that BuildKit finished.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 1024 * 1024;

export interface FileTail {
  /** Bytes of the file read so far. */
  readonly bytesRead: number;
  /** Reads what is left, hands over the last line without a break, stops polling. */
  stop(): Promise<void>;
}

export interface FileTailOptions {
  pollMs?: number;
  /** Called after each read that handed over lines: a point to flush what they produced. */
  onRead?: () => void;
  /** Called once when the file has grown past this many bytes (a runaway log). */
  limitBytes?: number;
  onLimit?: () => void;
}

export async function tailFile(path: string, onLine: (line: string) => void, options: FileTailOptions = {}): Promise<FileTail> {
  const handle: FileHandle = await open(path, 'r');
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry = '';
  let offset = 0;
  let limitHit = false;
  let reading: Promise<void> = Promise.resolve();

  const split = (text: string) => {
    const all = carry + text;
    let start = 0;
    for (let lf = all.indexOf('\n'); lf >= 0; lf = all.indexOf('\n', start)) {
      onLine(all.slice(start, lf));
      start = lf + 1;
    }
    carry = all.slice(start);
  };
  const readToEnd = async () => {
    let got = false;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) break;
      got = true;
      offset += bytesRead;
      split(decoder.write(buffer.subarray(0, bytesRead)));
      if (!limitHit && options.limitBytes !== undefined && offset > options.limitBytes) {
        limitHit = true;
        options.onLimit?.();
      }
    }
    if (got) options.onRead?.();
  };
  // One read at a time: the next poll waits for the previous one.
  const timer = setInterval(() => {
    reading = reading.then(readToEnd);
  }, options.pollMs ?? 100);

  return {
    get bytesRead() {
      return offset;
    },
    async stop() {
      clearInterval(timer);
      try {
        await (reading = reading.then(readToEnd));
        const rest = carry + decoder.end();
        carry = '';
        if (rest !== '') onLine(rest);
      } finally {
        await handle.close();
      }
    },
  };
}
