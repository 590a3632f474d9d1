import type { Random } from '../core/random.js';
import type { ZoneConfig } from './model.js';

/**
 * Load zones: a simulated geography. Each VU belongs to one zone, chosen from its global
 * index by a golden-ratio sequence (equidistributed, so shares are met closely at any VU
 * count and the same VU gets the same zone in every worker layout). The zone's network
 * profile is applied on the client side: an added delay with jitter before each request,
 * and a loss probability that fails a request as `loss`.
 */
const PHI_FRAC = 0.6180339887498949;

export const defaultZone: ZoneConfig = { name: 'local', share: 1, latencyMs: 0, jitterMs: 0, loss: 0 };

export function zoneForVu(vuIndex: number, zones: readonly ZoneConfig[]): ZoneConfig {
  if (zones.length === 0) return defaultZone;
  if (zones.length === 1) return zones[0] as ZoneConfig;
  const total = zones.reduce((s, z) => s + z.share, 0);
  const u = ((vuIndex + 1) * PHI_FRAC) % 1;
  let acc = 0;
  for (const z of zones) {
    acc += z.share / total;
    if (u < acc) return z;
  }
  return zones[zones.length - 1] as ZoneConfig;
}

/** The client-side delay for one request in ms: latency ± uniform jitter, never negative. */
export function zoneDelayMs(zone: ZoneConfig, random: Random): number {
  if (zone.latencyMs === 0 && zone.jitterMs === 0) return 0;
  return Math.max(0, zone.latencyMs + (random.next() * 2 - 1) * zone.jitterMs);
}

export function zoneDrops(zone: ZoneConfig, random: Random): boolean {
  return zone.loss > 0 && random.next() < zone.loss;
}
