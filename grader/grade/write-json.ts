/** Atomic JSON write: a crash or Ctrl-C never leaves a half-written results.json. */
import { rename, writeFile } from 'node:fs/promises';

export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(data, null, 2) + '\n', 'utf8');
  await rename(tmp, file);
}
