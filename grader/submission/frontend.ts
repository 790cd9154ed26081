/**
 * Which BuildKit frontend a submission asks for. A frontend is an image BuildKit runs to turn the
 * build definition into steps: it decides what the build prints (CACHED lines included) and
 * more, so only Docker's own Dockerfile frontend is allowed, in the `# syntax=` directive and in
 * the BUILDKIT_SYNTAX build argument. Pure.
 * https://docs.docker.com/build/buildkit/frontend/
 */

// docker/dockerfile (optionally docker.io/ or docker.io/library-less), a tag, a digest or both.
const ALLOWED = /^(?:docker\.io\/)?docker\/dockerfile(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

// Read more widely than BuildKit does (any `#` or `//` comment line before the first instruction,
// any spacing and case): a directive we fail to see would run whatever it names.
const DIRECTIVE = /^\s*(?:#|\/\/)\s*syntax\s*=\s*(.*?)\s*$/i;

export interface FrontendRequest {
  /** Where it was asked for, for the report. */
  source: string;
  value: string;
}

/** Every frontend the Dockerfile and the build arguments ask for. */
export function frontendRequests(dockerfileText: string, buildArgs: Record<string, string> = {}): FrontendRequest[] {
  const found: FrontendRequest[] = [];
  const lines = dockerfileText.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const m = DIRECTIVE.exec(line);
    if (m) found.push({ source: `Dockerfile, wiersz ${i + 1} (# syntax=)`, value: m[1] ?? '' });
    else if (line.trim() !== '' && !/^\s*(?:#|\/\/)/.test(line)) break; // the first instruction ends the directives
  }
  if (buildArgs.BUILDKIT_SYNTAX !== undefined) found.push({ source: 'argument budowania BUILDKIT_SYNTAX', value: buildArgs.BUILDKIT_SYNTAX });
  return found;
}

/** Polish reason why the build is refused, or undefined when only docker/dockerfile is asked for. */
export function frontendProblem(dockerfileText: string, buildArgs: Record<string, string> = {}): string | undefined {
  const refused = frontendRequests(dockerfileText, buildArgs).filter((r) => !ALLOWED.test(r.value));
  if (refused.length === 0) return undefined;
  const list = refused.map((r) => `„${r.value.slice(0, 200)}” (${r.source})`).join(', ');
  return `Budowanie odrzucono przed uruchomieniem: dozwolony jest tylko frontend docker/dockerfile ` +
    `(np. # syntax=docker/dockerfile:1), a praca wskazuje ${list}. Inny frontend to obraz, który sam decyduje, ` +
    'co budowanie robi i wypisuje, więc jego wynik nie byłby dowodem.';
}
