import { formatDuration } from './format-duration';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [12 * 60_000 + 59_000, '12m'],
    [2 * 3_600_000 + 5 * 60_000, '2h 5m'],
    [3 * 3_600_000, '3h'],
    [3 * 3_600_000 + 12 * 60_000, '3h 12m'],
    [2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '2d 4h'],
    [86_400_000, '1d'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('uses the magnitude of negative durations', () => {
    expect(formatDuration(-12 * 60_000)).toBe('12m');
  });

  it('treats non-finite input as zero', () => {
    expect(formatDuration(Number.NaN)).toBe('0s');
  });
});
