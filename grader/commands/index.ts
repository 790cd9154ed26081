/** Student shell commands as data: parse scripts, inline lists and Markdown reports; nothing is executed. */
export { parseCommandList, parseShellText } from './parse.ts';
export { extractMarkdownCommands } from './markdown.ts';
export { describeProblem } from './describe.ts';
export type * from './types.ts';
