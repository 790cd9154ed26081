/** Tells a student's broken build from an infrastructure fault, from the build outcome and its log. */
import type { BuildLogAnalysis } from '../build-log/parse.ts';
import type { BuildOutcome } from '../docker/build-runner.ts';
import { missingFromRegistryHost } from './from-host.ts';

export type BuildVerdict =
  | { kind: 'ok' }
  | { kind: 'student'; reason: string; hint?: string }
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
  // The buildx client fell more than a few seconds behind BuildKit's status stream at the end
  // of the build and cancelled it: a loaded grading machine, not the Dockerfile.
  /failed to receive status: .*context canceled/i,
];

export const LOG_OVERFLOW_REASON = 'budowanie wypisało ponad 1 GiB logu i zostało przerwane (krok RUN pisze bez końca?)';

export function classifyBuild(outcome: BuildOutcome, analysis: BuildLogAnalysis): BuildVerdict {
  if (outcome.cancelled) return { kind: 'cancelled' };
  if (outcome.spawnError) return { kind: 'infra', reason: `nie udało się uruchomić klienta docker: ${outcome.spawnError}` };
  if (outcome.timedOut) return { kind: 'timeout', reason: 'budowanie przekroczyło limit czasu i zostało przerwane' };
  if (outcome.logOverflow) return { kind: 'student', reason: LOG_OVERFLOW_REASON };
  if (outcome.exitCode === 0) return { kind: 'ok' };
  const message = analysis.error?.message ?? '';
  if (!analysis.error) {
    // No `ERROR: failed to solve` line: buildx itself or the engine failed before solving.
    return { kind: 'infra', reason: `docker buildx zakończył się kodem ${outcome.exitCode} bez błędu budowania w logu` };
  }
  const typo = missingFromRegistryHost(message);
  if (typo) {
    return {
      kind: 'student',
      reason: message,
      hint: `Rejestru ${typo} z instrukcji FROM nie ma w DNS (no such host): to błąd w Dockerfile, nie awaria. Popraw nazwę rejestru w FROM (literówka?) i sprawdź ją poleceniem docker buildx imagetools inspect <obraz>.`,
    };
  }
  if (analysis.error.exitCode === null && INFRA_PATTERNS.some((p) => p.test(message))) {
    return { kind: 'infra', reason: message };
  }
  return { kind: 'student', reason: message };
}
