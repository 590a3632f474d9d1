import { describe, expect, it } from 'vitest';
import { meshDefaults, type OutlierConfig } from './model.js';
import { countVerdict, eject, ejectionAllowed, isEjected, newOutlierState } from './outlier.js';

const cfg: OutlierConfig = {
  ...meshDefaults.outlier,
  consecutive5xx: 3,
  consecutiveConnectErrors: 2,
  baseEjectionMs: 1000,
  maxEjectionMs: 2500,
};

describe('outlier detection', () => {
  it('crosses the 5xx threshold only on consecutive 5xx', () => {
    const s = newOutlierState();
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(false);
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(false);
    expect(countVerdict(s, 'success', cfg, 0)).toBe(false);
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(false);
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(false);
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(true);
  });

  it('counts connect errors separately; a 5xx proves the connection works', () => {
    const s = newOutlierState();
    expect(countVerdict(s, 'connect-error', cfg, 0)).toBe(false);
    expect(countVerdict(s, '5xx', cfg, 0)).toBe(false);
    expect(countVerdict(s, 'connect-error', cfg, 0)).toBe(false);
    expect(countVerdict(s, 'connect-error', cfg, 0)).toBe(true);
  });

  it('ejects for base × times, capped, and decays the multiplier when quiet', () => {
    const s = newOutlierState();
    expect(eject(s, cfg, 0)).toBe(1000);
    expect(isEjected(s, 999)).toBe(true);
    expect(isEjected(s, 1000)).toBe(false);
    expect(eject(s, cfg, 1000)).toBe(2000);
    expect(eject(s, cfg, 3000)).toBe(2500); // 3 × 1000 capped at 2500
    // 5 base periods without ejection after it ended at 5500: multiplier back to 0, then 1.
    expect(eject(s, cfg, 10_500)).toBe(1000);
  });

  it('ignores results while ejected and resets counters on ejection', () => {
    const s = newOutlierState();
    countVerdict(s, 'connect-error', cfg, 0);
    eject(s, cfg, 0);
    expect(s.consecutiveConnectErrors).toBe(0);
    expect(countVerdict(s, 'connect-error', cfg, 10)).toBe(false);
    expect(countVerdict(s, 'connect-error', cfg, 20)).toBe(false);
    expect(s.consecutiveConnectErrors).toBe(0);
  });

  it('does nothing when disabled or a threshold is 0', () => {
    const s = newOutlierState();
    for (let i = 0; i < 10; i++) {
      expect(countVerdict(s, '5xx', { ...cfg, enabled: false }, 0)).toBe(false);
      expect(countVerdict(s, '5xx', { ...cfg, consecutive5xx: 0 }, 0)).toBe(false);
    }
  });

  it('caps the ejected share but always allows one', () => {
    expect(ejectionAllowed(0, 3, 0.1)).toBe(true);
    expect(ejectionAllowed(1, 3, 0.1)).toBe(false);
    expect(ejectionAllowed(1, 10, 0.2)).toBe(true);
    expect(ejectionAllowed(2, 10, 0.2)).toBe(false);
    expect(ejectionAllowed(2, 3, 1)).toBe(true);
    expect(ejectionAllowed(3, 3, 1)).toBe(false);
  });
});
