import { Registry } from '../../core/registry.js';
import { probeSource } from './probe.js';
import { prometheusSource } from './prometheus-api.js';
import { scrapeSource } from './scrape.js';
import type { SourcePlugin } from './source.js';

/** Every metric-source type; adding one is one file and one line here. */
export function sourceRegistry(): Registry<SourcePlugin> {
  return new Registry<SourcePlugin>('source')
    .register('scrape', scrapeSource as unknown as SourcePlugin)
    .register('prometheus', prometheusSource as unknown as SourcePlugin)
    .register('probe', probeSource as unknown as SourcePlugin);
}
