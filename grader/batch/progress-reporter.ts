/**
 * Shows batch progress: on a TTY one live line redrawn every second with event lines above it,
 * otherwise (CI, a log file) plain lines only.
 */
import type { WriteStream } from 'node:tty';
import { progressLine, type ProgressCounts } from './progress.ts';

export interface ProgressReporter {
  /** A line of its own (a student started or finished). */
  event(line: string): void;
  update(counts: ProgressCounts): void;
  stop(): void;
}

export function createProgressReporter(stream: NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY'>>, startedAt = Date.now()): ProgressReporter {
  let counts: ProgressCounts | undefined;
  if (!stream.isTTY) {
    return {
      event: (line) => void stream.write(`${line}\n`),
      update: (c) => void (counts = c),
      stop: () => {
        if (counts) stream.write(`${progressLine(counts, Date.now() - startedAt)}\n`);
      },
    };
  }
  const draw = () => {
    if (counts) stream.write(`\r\x1b[2K${progressLine(counts, Date.now() - startedAt)}`);
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    event(line) {
      stream.write(`\r\x1b[2K${line}\n`);
      draw();
    },
    update(c) {
      counts = c;
      draw();
    },
    stop() {
      clearInterval(timer);
      draw();
      stream.write('\n');
    },
  };
}
