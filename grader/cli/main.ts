/** Entry point: dispatches sub-commands; the only place that maps errors to exit codes. */
import { ExitCode, InputError, exitCodeOf } from '../errors.ts';
import { redact } from '../util/redact.ts';
import { COMMANDS, printHelp } from './commands.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  if (name === '--version') {
    const { toolVersion } = await import('../version.ts');
    console.log(toolVersion());
    return ExitCode.ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new InputError(`Nieznane polecenie „${name}”. Uruchom: grader --help`);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted); // second Ctrl-C: leave now
    process.stderr.write(`\nPrzerwano (${signal}): sprzątam utworzone zasoby...\n`);
    controller.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { load } = command;
    const module = await load();
    return await module.run(rest, { signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const code = exitCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`błąd: ${redact(message)}\n`);
  if (error instanceof InputError) for (const p of error.problems) process.stderr.write(`  - ${redact(p)}\n`);
  if (process.env.GRADER_DEBUG && error instanceof Error && error.stack) process.stderr.write(redact(error.stack) + '\n');
  process.exitCode = code;
}
