import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import type { Alert } from '../alert.js';
import { postJson } from './http-post.js';
import { isoTime, type NotifierPlugin } from './notifier.js';

/**
 * Alertmanager's webhook receiver format (payload version 4), so anything that takes
 * Alertmanager webhooks takes Shakedown's: one POST per alert group (alertname) whose
 * alerts changed, with common labels and annotations.
 */
const schema = strictObject({
  type: z.literal('webhook'),
  url: z.url({ error: () => 'expected an http(s) URL' }),
  timeout: durationMs.default(5000),
  receiver: z.string().default('shakedown'),
  maxAlerts: z.number().int().nonnegative().default(0),
});

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** The v4 payload for one group of alerts. */
export function webhookPayload(alerts: readonly Alert[], receiver: string, maxAlerts = 0) {
  const common = (pick: (a: Alert) => Record<string, string>) => {
    const [first, ...rest] = alerts.map(pick);
    const out: Record<string, string> = { ...first };
    for (const m of rest) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
    return out;
  };
  const shown = maxAlerts > 0 ? alerts.slice(0, maxAlerts) : alerts;
  const groupLabels = { alertname: alerts[0]?.labels.alertname ?? '' };
  return {
    version: '4',
    groupKey: `{}:{alertname=${JSON.stringify(groupLabels.alertname)}}`,
    truncatedAlerts: alerts.length - shown.length,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver,
    groupLabels,
    commonLabels: common((a) => ({ ...a.labels })),
    commonAnnotations: common((a) => a.annotations),
    externalURL: '',
    alerts: shown.map(
      (a): WebhookAlert => ({
        status: a.status,
        labels: { ...a.labels },
        annotations: a.annotations,
        startsAt: isoTime(a.startsAtMs),
        // Alertmanager's zero time for alerts that have not ended.
        endsAt: a.endsAtMs !== undefined ? isoTime(a.endsAtMs) : '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: a.fingerprint,
      }),
    ),
  };
}

export const webhookNotifier: NotifierPlugin<z.output<typeof schema>> = {
  summary: 'POST Alertmanager v4 webhook payloads to a URL',
  schema,
  create: (c) => ({
    notify: async (changed) => {
      const groups = new Map<string, Alert[]>();
      for (const a of changed) {
        const k = a.labels.alertname ?? '';
        groups.set(k, [...(groups.get(k) ?? []), a]);
      }
      for (const alerts of groups.values())
        await postJson(c.url, webhookPayload(alerts, c.receiver, c.maxAlerts), { timeoutMs: c.timeout });
    },
  }),
};
