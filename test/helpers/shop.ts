import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink } from '../../src/core/event.js';
import { onFreePorts } from '../../src/platform/free-ports.js';
import { LocalPlatform } from '../../src/platform/local.js';
import { type LoadedSpec, loadSpecFile } from '../../src/spec/load-spec.js';
import { repoRoot } from './cli.js';

/** The example shop's spec, on free ports. */
export const shopSpecFile = join(repoRoot, 'examples', 'shop', 'shakedown.yaml');

export interface Shop {
  platform: LocalPlatform;
  /** The mesh's public listener: where shoppers go. */
  url: string;
  dir: string;
  spec: LoadedSpec;
}

/**
 * The example shop on the local platform (mesh in front of every service, replicas as real
 * processes), on free ports, orders in a SQLite file of its own temp dir. `edit` may change
 * the spec first (replicas, routes, env).
 */
export async function startShop(
  options: { events?: EventSink; edit?: (spec: LoadedSpec['spec']) => void; readyTimeoutMs?: number } = {},
): Promise<Shop> {
  const dir = mkdtempSync(join(tmpdir(), 'shakedown-shop-'));
  const spec = onFreePorts(loadSpecFile(shopSpecFile));
  const orders = spec.spec.services?.orders;
  if (orders) orders.env = { ...orders.env, ORDERS_DB: join(dir, 'orders.db') };
  options.edit?.(spec.spec);
  const platform = await LocalPlatform.start(spec, {
    stateDir: join(dir, 'state'),
    env: { ...process.env, DATABASE_URL: '' },
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    ...(options.events ? { events: options.events } : {}),
  });
  return { platform, url: platform.listenerUrl('public'), dir, spec };
}
