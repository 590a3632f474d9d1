import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.js';
import { meshDefaults, type RetryConfig } from './model.js';
import { backoffMs, decideRetry, isRetriable, type RetryQuestion, retryBudget } from './retry-policy.js';

const policy: RetryConfig = {
  ...meshDefaults.retry,
  attempts: 2,
  on: ['connect-failure', 'reset', 'gateway-error'],
  budgetMinConcurrency: 3,
};
const q = (over: Partial<RetryQuestion> = {}): RetryQuestion => ({
  retriesDone: 0,
  status: 0,
  failure: 'connect-failure',
  method: 'GET',
  bodyReplayable: true,
  activeRequests: 1,
  activeRetries: 0,
  cancelled: false,
  ...over,
});

describe('isRetriable', () => {
  it('follows retry_on for transport failures', () => {
    expect(isRetriable(policy, 0, 'connect-failure')).toBe(true);
    expect(isRetriable(policy, 0, 'reset')).toBe(true);
    expect(isRetriable(policy, 0, 'timeout')).toBe(true); // gateway-error covers per-try timeouts
    expect(isRetriable({ ...policy, on: ['reset'] }, 0, 'connect-failure')).toBe(false);
    expect(isRetriable({ ...policy, on: ['5xx'] }, 0, 'reset')).toBe(true);
    expect(isRetriable({ ...policy, on: ['5xx'] }, 0, 'overflow')).toBe(false);
    expect(isRetriable({ ...policy, on: ['5xx'] }, 0, 'other')).toBe(false);
  });
  it('follows retry_on for statuses', () => {
    expect(isRetriable(policy, 503, undefined)).toBe(true);
    expect(isRetriable(policy, 500, undefined)).toBe(false);
    expect(isRetriable({ ...policy, on: ['5xx'] }, 500, undefined)).toBe(true);
    expect(isRetriable(policy, 200, undefined)).toBe(false);
    expect(isRetriable({ ...policy, on: ['retriable-status'], statuses: [409] }, 409, undefined)).toBe(true);
    expect(isRetriable({ ...policy, on: ['retriable-status'], statuses: [409] }, 410, undefined)).toBe(false);
  });
});

describe('decideRetry', () => {
  it('retries up to the number of attempts', () => {
    expect(decideRetry(policy, q())).toBe('retry');
    expect(decideRetry(policy, q({ retriesDone: 1 }))).toBe('retry');
    expect(decideRetry(policy, q({ retriesDone: 2 }))).toBe('exhausted');
    expect(decideRetry({ ...policy, attempts: 0 }, q())).toBe('disabled');
  });
  it('retries non-idempotent methods only after a connect failure, unless configured', () => {
    expect(decideRetry(policy, q({ method: 'POST', failure: 'reset' }))).toBe('method');
    expect(decideRetry(policy, q({ method: 'POST', failure: 'connect-failure' }))).toBe('retry');
    expect(decideRetry(policy, q({ method: 'PATCH', failure: undefined, status: 503 }))).toBe('method');
    expect(decideRetry({ ...policy, nonIdempotent: true }, q({ method: 'POST', failure: 'reset' }))).toBe(
      'retry',
    );
    expect(decideRetry(policy, q({ method: 'PUT', failure: 'reset' }))).toBe('retry');
  });
  it('does not replay a body that was streamed', () => {
    expect(decideRetry(policy, q({ bodyReplayable: false }))).toBe('body');
  });
  it('keeps concurrent retries within the budget', () => {
    expect(retryBudget(policy, 100)).toBe(20);
    expect(retryBudget(policy, 5)).toBe(3);
    expect(decideRetry(policy, q({ activeRequests: 100, activeRetries: 19 }))).toBe('retry');
    expect(decideRetry(policy, q({ activeRequests: 100, activeRetries: 20 }))).toBe('budget');
    expect(decideRetry(policy, q({ activeRequests: 1, activeRetries: 3 }))).toBe('budget');
  });
  it('stops when the exchange is cancelled, and never retries what is not retriable', () => {
    expect(decideRetry(policy, q({ cancelled: true }))).toBe('cancelled');
    expect(decideRetry(policy, q({ failure: 'overflow' }))).toBe('not-retriable');
    expect(decideRetry(policy, q({ failure: undefined, status: 404 }))).toBe('not-retriable');
  });
});

describe('backoffMs', () => {
  it('is fully jittered below an exponential, capped ceiling', () => {
    const r = createRandom(7);
    const p = { ...policy, backoffBaseMs: 10, backoffMaxMs: 50 };
    for (let i = 0; i < 1000; i++) {
      const d0 = backoffMs(p, 0, r);
      const d1 = backoffMs(p, 1, r);
      const d5 = backoffMs(p, 5, r);
      expect(d0).toBeGreaterThanOrEqual(0);
      expect(d0).toBeLessThan(10);
      expect(d1).toBeLessThan(20);
      expect(d5).toBeLessThan(50);
    }
    const many = Array.from({ length: 2000 }, () => backoffMs(p, 5, r));
    expect(Math.max(...many)).toBeGreaterThan(45);
    expect(many.reduce((a, b) => a + b, 0) / many.length).toBeCloseTo(25, -1);
  });
});
