/** Pure formatting of numbers for Polish report text. */

/** 2916352 → "2,78 MiB (2 916 352 B)"; small values in KiB. */
export function formatBytes(bytes: number): string {
  const exact = `${groupDigits(bytes)} B`;
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2).replace('.', ',')} MiB (${exact})`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1).replace('.', ',')} KiB (${exact})`;
  return exact;
}

function groupDigits(n: number): string {
  const sign = n < 0 ? '-' : '';
  // Polish groups thousands with a (non-breaking) space.
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}
