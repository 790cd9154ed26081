/** Pure: lines of a script's output that show a connection attempt the sandbox blocked. */

// curl: (6) resolve, (7) connect, (28) timeout; wget/nc/busybox phrasing; shells' /dev/tcp errors.
const BLOCKED = [
  /curl: \((?:6|7|28)\)/,
  /Could not resolve host/i,
  /Failed to connect to/i,
  /Network is unreachable/i,
  /No route to host/i,
  /Connection refused/i,
  /Connection timed out/i,
  /bad address/i,
];

/** Lines about a blocked connection to anything but registry7 (registry7 itself is reachable). */
export function blockedConnectionsIn(output: string, allowedHost = 'registry7'): string[] {
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => BLOCKED.some((re) => re.test(l)) && !new RegExp(`\\b${allowedHost}\\b`).test(l));
}
