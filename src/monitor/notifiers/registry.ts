import { Registry } from '../../core/registry.js';
import { alertmanagerNotifier } from './alertmanager.js';
import { consoleNotifier } from './console.js';
import type { NotifierPlugin } from './notifier.js';
import { webhookNotifier } from './webhook.js';

/** Every notifier type; adding one is one file and one line here. */
export function notifierRegistry(): Registry<NotifierPlugin> {
  return new Registry<NotifierPlugin>('notifier')
    .register('console', consoleNotifier as unknown as NotifierPlugin)
    .register('webhook', webhookNotifier as unknown as NotifierPlugin)
    .register('alertmanager', alertmanagerNotifier as unknown as NotifierPlugin);
}
