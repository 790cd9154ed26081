/** Removes secrets from text before it reaches a log, terminal or report. */

const secrets = new Set<string>();

/** Registers a secret (password, token) so every later redact() hides it. */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

const PATTERNS: RegExp[] = [
  // Authorization headers and basic-auth credentials in URLs.
  /(authorization:\s*(?:basic|bearer)\s+)[^\s"']+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+(@)/g,
  // JSON fields that carry credentials (docker config, token responses).
  /("(?:auth|password|token|access_token|identitytoken|refresh_token)"\s*:\s*")[^"]*(")/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  for (const p of PATTERNS) out = out.replace(p, (_m, a: string, b?: string) => `${a}***${typeof b === 'string' ? b : ''}`);
  return out;
}
