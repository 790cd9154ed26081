/** Flag parsing shared by the commands: node:util parseArgs with Polish errors naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends Options>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputError(`Błędne opcje polecenia „${command}”: ${detail}. Pomoc: grader ${command} --help`, [], { cause: error });
  }
}

/** Reads an integer flag value, naming the flag when it is not one. */
export function intFlag(value: string | undefined, flag: string, { min = 0, fallback }: { min?: number; fallback: number }): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`Opcja ${flag} wymaga liczby całkowitej ≥ ${min}, podano „${value}”.`);
  return n;
}
