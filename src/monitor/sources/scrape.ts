import { request } from 'undici';
import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import { parseExposition } from './exposition.js';
import type { SourcePlugin } from './source.js';

/**
 * Scrapes a Prometheus `/metrics` endpoint like Prometheus does: every sample gets the
 * `job` and `instance` labels, and `up`, `scrape_duration_seconds` and
 * `scrape_samples_scraped` are recorded for the target. Samples are stamped with the
 * scrape time unless the exposition carries its own timestamps.
 */
const schema = strictObject({
  type: z.literal('scrape'),
  /** The job label. */
  name: z.string().min(1),
  url: z.url({ error: () => 'expected the URL of a /metrics endpoint' }),
  interval: durationMs.optional(),
  timeout: durationMs.default(5000),
  labels: z.record(z.string(), z.string()).optional(),
});

export const scrapeSource: SourcePlugin<z.output<typeof schema>> = {
  summary: 'scrape a Prometheus /metrics endpoint',
  schema,
  create: (c, ctx) => {
    const target = new URL(c.url);
    const base = { job: c.name, instance: target.host, ...c.labels };
    return {
      name: c.name,
      intervalMs: c.interval ?? ctx.intervalMs,
      collect: async (signal) => {
        const t = ctx.clock.now();
        const t0 = ctx.clock.monotonicMs();
        let up = 0;
        let count = 0;
        try {
          const res = await request(c.url, {
            headers: { accept: 'text/plain;version=0.0.4' },
            signal: AbortSignal.any([signal, AbortSignal.timeout(c.timeout)]),
          });
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
          for (const s of parseExposition(text).samples) {
            ctx.store.append({ ...s.labels, ...base, __name__: s.name }, s.timestampMs ?? t, s.value);
            count++;
          }
          up = 1;
        } catch (e) {
          ctx.log.warn(`scrape ${c.url} failed: ${(e as Error).message}`, { source: c.name });
        }
        ctx.store.append({ ...base, __name__: 'up' }, t, up);
        ctx.store.append(
          { ...base, __name__: 'scrape_duration_seconds' },
          t,
          (ctx.clock.monotonicMs() - t0) / 1000,
        );
        ctx.store.append({ ...base, __name__: 'scrape_samples_scraped' }, t, count);
      },
    };
  },
};
