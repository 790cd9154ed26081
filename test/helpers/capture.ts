// Runs a CLI command's in-process `run` with console.log captured, for tests of what it prints.
import type { CommandContext } from '../../grader/cli/commands.ts';

type Run = (argv: string[], ctx: CommandContext) => Promise<number>;

export async function runCaptured(run: Run, argv: string[], ctx: CommandContext = { signal: new AbortController().signal }): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: await run(argv, ctx), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}
