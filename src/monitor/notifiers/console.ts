import { z } from 'zod';
import { strictObject } from '../../spec/types.js';
import type { Alert } from '../alert.js';
import { formatLabels } from '../labels.js';
import { isoTime, type NotifierPlugin } from './notifier.js';

/** Prints one line per alert change: time, FIRING/RESOLVED, name, labels, summary. */
const schema = strictObject({ type: z.literal('console') });

export function formatAlertLine(a: Alert): string {
  const { alertname, ...rest } = a.labels;
  const when = isoTime(a.status === 'resolved' && a.endsAtMs !== undefined ? a.endsAtMs : a.startsAtMs);
  const summary = a.annotations.summary ? ` — ${a.annotations.summary}` : '';
  return `${when} ${a.status === 'firing' ? 'FIRING  ' : 'RESOLVED'} ${alertname ?? '?'}${formatLabels(rest)}${summary}`;
}

export const consoleNotifier: NotifierPlugin<z.output<typeof schema>> = {
  summary: 'one line per alert change on the terminal',
  schema,
  create: (_c, ctx) => ({
    notify: async (changed) => {
      for (const a of changed) ctx.out.write(`${formatAlertLine(a)}\n`);
    },
  }),
};
