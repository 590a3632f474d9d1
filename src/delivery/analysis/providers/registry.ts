import { Registry } from '../../../core/registry.js';
import { commandProvider } from './command.js';
import { judgeProvider } from './judge.js';
import { meshProvider } from './mesh.js';
import { prometheusProvider } from './prometheus.js';
import type { ProviderPlugin } from './provider.js';
import { webProvider } from './web.js';

/** Every analysis metric provider; adding one is one file and one line here. */
export function providerRegistry(): Registry<ProviderPlugin> {
  return new Registry<ProviderPlugin>('metric provider')
    .register('judge', judgeProvider as unknown as ProviderPlugin)
    .register('mesh', meshProvider as unknown as ProviderPlugin)
    .register('prometheus', prometheusProvider as unknown as ProviderPlugin)
    .register('web', webProvider as unknown as ProviderPlugin)
    .register('command', commandProvider as unknown as ProviderPlugin);
}
