/**
 * Shell commands in a Markdown report: every command of a shell-like fenced block, and outside
 * fences the lines (or `inline code`) that start a docker build/exec or curl command.
 * Line-based on purpose (a report renderer is not needed to find commands); takes text, not a file.
 */
import { logicalLines, stripPrompt } from './lines.ts';
import { commandsOfLine } from './parse.ts';
import type { ParsedCommand } from './types.ts';

/** Fence info strings that hold shell text; an empty one counts too (students rarely label blocks). */
const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console', 'shell-session', 'shellsession', 'zsh', 'terminal', 'powershell', 'ps1', 'pwsh', 'ps', 'cmd', 'bat', 'batch', 'text', 'txt', 'plaintext']);
/** What a command line outside fences starts with (after a prompt and `sudo`). */
// The lab's commands: registry7 (`docker run`), builds, manifest inspection, deletion (curl) and GC.
const COMMAND_START = /^(?:sudo\s+)?(?:docker\s+(?:buildx|build|exec|run|manifest|container\s+run)\b|curl\s|registry\s+garbage-collect\b)/;
const CONTINUED = /(\\|`|\^)\s*$/;

export function extractMarkdownCommands(markdown: string, file: string): ParsedCommand[] {
  const lines = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const out: ParsedCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (fence) {
      const [, marker, info] = fence;
      const close = new RegExp(`^ {0,3}${marker![0] === '`' ? '`' : '~'}{${marker!.length},}\\s*$`);
      let end = i + 1;
      while (end < lines.length && !close.test(lines[end]!)) end++;
      if (SHELL_LANGS.has(info!.toLowerCase())) out.push(...blockCommands(lines.slice(i + 1, end), i + 1, file));
      i = end;
      continue;
    }
    const stripped = stripPrompt(lines[i]!.trimStart()).text;
    if (COMMAND_START.test(stripped)) {
      // The command and the lines its continuation marks pull in.
      let end = i;
      while (CONTINUED.test(lines[end]!) && end + 1 < lines.length) end++;
      const [first] = logicalLines(lines.slice(i, end + 1).join('\n'), 'console');
      if (first) out.push(...commandsOfLine({ ...first, line: first.line + i }, { file }));
      i = end;
      continue;
    }
    for (const span of lines[i]!.matchAll(/`([^`]+)`/g)) {
      const code = stripPrompt(span[1]!.trim()).text;
      if (!COMMAND_START.test(code)) continue;
      for (const line of logicalLines(code, 'console')) out.push(...commandsOfLine({ ...line, line: i + 1 }, { file }));
    }
  }
  return out;
}

/**
 * A block that shows prompts mixes commands with their output: then only prompted lines are
 * commands (this also skips a two-line prompt's first line such as `~/examples/L7`).
 */
function blockCommands(block: string[], offset: number, file: string): ParsedCommand[] {
  const logical = logicalLines(block.join('\n'), 'console');
  const prompted = logical.some((l) => l.prompted);
  return logical
    .filter((l) => !prompted || l.prompted)
    .flatMap((l) => commandsOfLine({ ...l, line: l.line + offset }, { file }));
}
