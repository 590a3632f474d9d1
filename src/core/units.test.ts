import { describe, expect, it } from 'vitest';
import { ShakedownError } from './errors.js';
import { formatDurationMs, parseDurationMs, parseRatePerSec, parseSizeBytes } from './units.js';

describe('parseDurationMs', () => {
  it.each([
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1h2m3s4ms', 3_723_004],
    ['500us', 0.5],
    ['0', 0],
    ['1d', 86_400_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it('takes numbers as milliseconds', () => {
    expect(parseDurationMs(1200)).toBe(1200);
  });

  it.each(['', '10', '1x', 's', '1m30', '-1s', '1 m'])(
    'rejects %j with a usage error naming the input',
    (input) => {
      try {
        parseDurationMs(input, 'think time');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ShakedownError);
        const err = e as ShakedownError;
        expect(err.code).toBe('E_DURATION');
        expect(err.exitCode).toBe(2);
        expect(err.message).toContain(`"${input}"`);
        expect(err.message).toContain('think time');
      }
    },
  );
});

describe('parseRatePerSec', () => {
  it.each([
    ['500/s', 500],
    ['30/m', 0.5],
    ['100/10s', 10],
    ['3600/h', 1],
    ['7', 7],
    ['10/500ms', 20],
    ['2.5/s', 2.5],
  ])('%s → %d/s', (input, rate) => {
    expect(parseRatePerSec(input)).toBeCloseTo(rate, 10);
  });

  it.each(['/s', 'fast', '10/x', '10/', '-1/s', '10/0s'])('rejects %j', (input) => {
    expect(() => parseRatePerSec(input)).toThrow(/invalid rate/);
  });
});

describe('parseSizeBytes', () => {
  it.each([
    ['10MiB', 10 * 1024 * 1024],
    ['1.5GB', 1.5e9],
    ['512KiB', 512 * 1024],
    ['100', 100],
    ['1kb', 1000],
    ['2B', 2],
  ])('%s → %d bytes', (input, bytes) => {
    expect(parseSizeBytes(input)).toBe(bytes);
  });

  it.each(['MiB', '10 parsecs', '-5', '1.2.3KB'])('rejects %j', (input) => {
    expect(() => parseSizeBytes(input)).toThrow(/invalid size/);
  });
});

describe('formatDurationMs', () => {
  it('formats for people', () => {
    expect(formatDurationMs(90_000)).toBe('1m30s');
    expect(formatDurationMs(250)).toBe('250ms');
    expect(formatDurationMs(3_600_000)).toBe('1h');
    expect(formatDurationMs(0.5)).toBe('500µs');
    expect(formatDurationMs(1.234)).toBe('1.23ms');
  });
});
