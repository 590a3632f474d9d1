import { describe, expect, it } from 'vitest';
import { admit } from './circuit-breaker.js';

describe('admit', () => {
  const c = { maxConnections: 10, maxPending: 2, maxRequests: 5 };
  it('admits below the limits', () => {
    expect(admit(c, 0, 0)).toBeUndefined();
    expect(admit(c, 4, 1)).toBeUndefined();
  });
  it('rejects at max requests first, then at max pending', () => {
    expect(admit(c, 5, 0)).toBe('max-requests');
    expect(admit(c, 5, 2)).toBe('max-requests');
    expect(admit(c, 3, 2)).toBe('max-pending');
  });
  it('a zero limit rejects everything', () => {
    expect(admit({ ...c, maxRequests: 0 }, 0, 0)).toBe('max-requests');
  });
});
