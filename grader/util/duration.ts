/** A duration in Polish for messages: "20 s", "5 min", "1 h 30 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s % 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const min = s / 60;
  if (min < 60) return `${min} min`;
  return min % 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min / 60} h`;
}
