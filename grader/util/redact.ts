/** Removes secrets from text before it reaches a log, terminal or report. */

const secrets = new Set<string>();

/** Registers a secret (password, token) so every later redact() hides it. */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

// Each keeps its first group (what the secret belongs to) and replaces the rest with ***.
const PATTERNS: RegExp[] = [
  // Authorization headers and basic-auth credentials in URLs.
  /(authorization:\s*(?:basic|bearer)\s+)[^\s"']+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
  // JSON fields that carry credentials (docker config, token responses, credential helpers' `Secret`).
  /("(?:auth|password|token|access_token|identitytoken|refresh_token|secret)"\s*:\s*")[^"]*(?=")/gi,
  // Tokens by their documented prefixes: Docker Hub personal/organisation access tokens,
  // GitHub classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained (github_pat_), GitLab (glpat-).
  /(\b)dckr_(?:pat|oat)_[A-Za-z0-9_-]{16,}/g,
  /(\b)(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
  /(\b)glpat-[A-Za-z0-9_.-]{20,}/g,
  // docker login -p/--password VALUE (not -p of docker run, which publishes a port).
  /(\bdocker\s+login\b[^\n]*?\s(?:-p|--password)(?:\s+|=))(?:"[^"\n]*"|'[^'\n]*'|[^\s"']+)/gi,
  // echo VALUE | docker login --password-stdin
  /(\becho\s+)(?:"[^"\n]*"|'[^'\n]*'|[^\s|"']+)(?=\s*\|\s*(?:sudo\s+)?docker\s+login\b)/gi,
  // curl -u user:password
  /(\bcurl\b[^\n]*?\s(?:-u|--user)(?:\s+|=)["']?[^\s:"']+:)[^\s"']+/gi,
];

// Something every pattern above needs: most lines (a build log's millions) skip the rest.
const MAY_HOLD_SECRET = /authorization|\/\/|"(?:auth|password|token|access_token|identitytoken|refresh_token|secret)"|dckr_|gh[pousr]_|github_pat_|glpat-|login|curl/i;

export function redact(text: string): string {
  if (secrets.size === 0 && !MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  for (const p of PATTERNS) out = out.replace(p, (_m, kept: string) => `${kept}***`);
  return out;
}

/** A copy with every string redacted: results and reports quote student text. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
