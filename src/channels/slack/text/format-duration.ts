const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Compact human duration for Slack copy: "45s", "12m", "3h 12m", "2d 4h".
 * Uses the two most significant units; negative input is treated as its magnitude.
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(Number.isFinite(ms) ? ms : 0);
  if (abs < MINUTE) return `${Math.floor(abs / 1000)}s`;
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return `${minutes}m`;
}
