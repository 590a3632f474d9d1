import { describe, expect, it } from 'vitest';
import { checkCron, nextRunMs } from './schedule.js';

describe('game-day schedules', () => {
  it('every N counts from the previous start, never before the previous end', () => {
    expect(nextRunMs({ everyMs: 60_000 }, 0, 10_000)).toBe(60_000);
    expect(nextRunMs({ everyMs: 60_000 }, 0, 90_000)).toBe(90_000);
  });
  it('cron runs at the next match after the previous end', () => {
    const t = Date.UTC(2026, 0, 1, 10, 7, 30);
    expect(new Date(nextRunMs({ cron: '*/15 * * * *' }, t - 1000, t)).toISOString()).toBe(
      '2026-01-01T10:15:00.000Z',
    );
    expect(new Date(nextRunMs({ cron: '*/10 * * * * *' }, t, t)).toISOString()).toBe(
      '2026-01-01T10:07:40.000Z',
    );
    expect(() => checkCron('every tuesday')).toThrow(/invalid cron expression/);
  });
});
