import { z } from 'zod';
import { durationMs, strictObject } from '../../spec/types.js';
import type { Alert } from '../alert.js';
import { postJson } from './http-post.js';
import { isoTime, type NotifierPlugin } from './notifier.js';

/**
 * Alertmanager's v2 API as Prometheus uses it: `POST /api/v2/alerts` with every firing
 * alert when it starts and again every `resendDelay` while it fires, each valid until
 * `endsAt` = now + 4 × max(resendDelay, evaluation interval) so Alertmanager resolves it
 * by itself if Shakedown stops; a resolved alert is sent once with its real `endsAt`.
 */
const schema = strictObject({
  type: z.literal('alertmanager'),
  url: z.url({ error: () => 'expected the Alertmanager base URL such as http://127.0.0.1:9093' }),
  resendDelay: durationMs.default(60_000),
  timeout: durationMs.default(10_000),
});

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export function toAlertmanager(a: Alert, validUntilMs: number): AlertmanagerAlert {
  return {
    labels: { ...a.labels },
    annotations: a.annotations,
    startsAt: isoTime(a.startsAtMs),
    endsAt: isoTime(a.endsAtMs ?? validUntilMs),
  };
}

export const alertmanagerNotifier: NotifierPlugin<z.output<typeof schema>> = {
  summary: 'Alertmanager v2 API: POST /api/v2/alerts, re-sent while firing, resolved with endsAt',
  schema,
  create: (c, ctx) => {
    const endpoint = `${c.url.replace(/\/+$/, '')}/api/v2/alerts`;
    const lastSent = new Map<string, number>();
    const validity = () => ctx.clock.now() + 4 * Math.max(c.resendDelay, ctx.evaluationIntervalMs);
    const send = async (alerts: readonly Alert[]) => {
      if (alerts.length === 0) return;
      const until = validity();
      await postJson(
        endpoint,
        alerts.map((a) => toAlertmanager(a, until)),
        { timeoutMs: c.timeout },
      );
      const now = ctx.clock.now();
      for (const a of alerts) {
        if (a.status === 'resolved') lastSent.delete(a.fingerprint);
        else lastSent.set(a.fingerprint, now);
      }
    };
    return {
      notify: (changed) => send(changed),
      tick: (firing) => {
        const now = ctx.clock.now();
        return send(
          firing.filter(
            (a) => now - (lastSent.get(a.fingerprint) ?? Number.NEGATIVE_INFINITY) >= c.resendDelay,
          ),
        );
      },
    };
  },
};
