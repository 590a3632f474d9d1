import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run/report.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { runCliProcess } from '../helpers/cli.js';
import { shopSpecFile } from '../helpers/shop.js';

// Acceptance: the gateway partitioned from cart through the mesh (calls black-holed) on the
// example shop: adding to the cart fails within the cart route's timeout, the rest of the
// shop keeps working, and recovery after the revert is measured.
const dir = mkdtempSync(join(tmpdir(), 'shakedown-chaos-partition-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shakedown chaos run: cart-partition on the shop', () => {
  it('fails cart requests within the route timeout and measures recovery after the revert', async () => {
    const routeTimeoutMs = loadSpecFile(shopSpecFile).spec.mesh?.routes?.find(
      (r) => r.name === 'cart',
    )?.timeout;
    expect(routeTimeoutMs).toBe(10_000);
    const r = await runCliProcess([
      'chaos',
      'run',
      'examples/shop/shakedown.yaml',
      '--experiment',
      'cart-partition',
      '--free-ports',
      '--state-dir',
      join(dir, 'state'),
      '--no-store',
      '--json',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(99); // the hypothesis (add to cart works) is violated
    const [report] = JSON.parse(r.stdout) as ChaosReport[];
    if (!report) throw new Error('no report');
    const fault = report.faults[0];
    if (!fault) throw new Error('no fault');
    expect(fault).toMatchObject({ type: 'partition', targets: ['gateway → cart (route cart)'] });

    const cart = report.traffic.duringByRequest['add-to-cart'];
    expect(cart?.requests).toBeGreaterThan(5);
    // Nearly all fail (the seconds at the edges of the fault window hold a few that did
    // not meet the partition), every failure a 5xx from the gateway.
    expect((cart?.failed ?? 0) / (cart?.requests ?? 1)).toBeGreaterThan(0.75);
    expect(cart?.failures).toEqual({ status5xx: cart?.failed });
    // They fail when the route's timeout fires: not sooner, not later.
    expect(cart?.latencyMs.p50).toBeGreaterThanOrEqual((routeTimeoutMs as number) - 100);
    expect(cart?.latencyMs.max).toBeLessThan((routeTimeoutMs as number) + 1000);
    // Browsing does not go through cart: untouched.
    expect(report.traffic.duringByRequest.browse?.failed).toBe(0);

    expect(report.hypothesis.firstViolation).toMatchObject({ probe: 'add-to-cart', phase: 'during' });
    expect(fault.timeToDetectMs).toBeLessThan(3000);
    // Recovery after the revert is measured: requests held by the partition still drain
    // for up to a route timeout, so it is not instant, but it is bounded.
    expect(fault.revertedAt).not.toBeNull();
    expect(fault.recoveredAtMs).toBeGreaterThanOrEqual(fault.revertedAt as number);
    expect(fault.timeToRecoverMs).toBeLessThan((routeTimeoutMs as number) + 5000);
    expect(
      report.timeline.some((e) => e.kind === 'hypothesis.restored' && e.t >= (fault.revertedAt as number)),
    ).toBe(true);
  }, 120_000);
});
