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

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Reads a duration flag in milliseconds: `90s`, `5m`, `1h`, or a bare whole number of minutes
 * (what these flags always took). Zero, fractions and other units are an error naming the flag.
 */
export function durationFlag(value: string | undefined, flag: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = /^\s*(\d{1,7})\s*([smh]?)\s*$/i.exec(value);
  const ms = m ? Number(m[1]) * DURATION_UNITS[(m[2] || 'm').toLowerCase()]! : 0;
  if (!m || ms <= 0) {
    throw new InputError(`Opcja ${flag} wymaga czasu, np. 90s, 5m, 1h albo samej liczby minut; podano „${value}”.`);
  }
  return ms;
}

