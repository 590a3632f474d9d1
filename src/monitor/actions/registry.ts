import { Registry } from '../../core/registry.js';
import type { ActionPlugin } from './action.js';
import { commandAction } from './command.js';
import { controlActions } from './control.js';
import { httpAction } from './http-call.js';

/** Every action type; adding one is one file and one line here. */
export function actionRegistry(): Registry<ActionPlugin> {
  const r = new Registry<ActionPlugin>('action')
    .register('command', commandAction as unknown as ActionPlugin)
    .register('http', httpAction as unknown as ActionPlugin);
  for (const { type, plugin } of controlActions) r.register(type, plugin);
  return r;
}
