/** Tells a student's broken build from an infrastructure fault, from the build outcome and its log. */
import type { BuildLogAnalysis } from '../docker/build-log.ts';
import type { BuildOutcome } from '../docker/build-runner.ts';

export type BuildVerdict =
  | { kind: 'ok' }
  | { kind: 'student'; reason: string }
  | { kind: 'timeout'; reason: string }
  | { kind: 'infra'; reason: string }
  | { kind: 'cancelled' };

// Faults of the registry, network or engine, not of the Dockerfile. Matched on the final
// ERROR line only, so a student's RUN printing such words does not count.
const INFRA_PATTERNS: RegExp[] = [
  /connection refused/i,
  /no such host/i,
  /i\/o timeout/i,
  /TLS handshake timeout/i,
  /toomanyrequests|rate limit/i,
  /50[234] (Bad Gateway|Service Unavailable|Gateway Timeout)|500 Internal Server Error/i,
  /no space left on device/i,
  /Cannot connect to the Docker daemon/i,
  /error reading from server: EOF|connection reset by peer/i,
  /failed to push .*: (unexpected status|failed to do request)/i,
];

export function classifyBuild(outcome: BuildOutcome, analysis: BuildLogAnalysis): BuildVerdict {
  if (outcome.cancelled) return { kind: 'cancelled' };
  if (outcome.spawnError) return { kind: 'infra', reason: `nie udało się uruchomić klienta docker: ${outcome.spawnError}` };
  if (outcome.timedOut) return { kind: 'timeout', reason: 'budowanie przekroczyło limit czasu i zostało przerwane' };
  if (outcome.exitCode === 0) return { kind: 'ok' };
  const message = analysis.error?.message ?? '';
  if (!analysis.error) {
    // No `ERROR: failed to solve` line: buildx itself or the engine failed before solving.
    return { kind: 'infra', reason: `docker buildx zakończył się kodem ${outcome.exitCode} bez błędu budowania w logu` };
  }
  if (analysis.error.exitCode === null && INFRA_PATTERNS.some((p) => p.test(message))) {
    return { kind: 'infra', reason: message };
  }
  return { kind: 'student', reason: message };
}
