import { z } from 'zod';
import { durationMs, fraction, strictObject } from '../../spec/types.js';

/**
 * An SLO in the spec (`watch.slos`): an availability SLI (error and total queries with a
 * `{{.window}}` placeholder, as Sloth writes them) or a latency SLI (a Prometheus
 * histogram, its selector and a threshold that is one of its bucket bounds), an
 * objective, and how to alert on its error-budget burn.
 */
const labelMap = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), z.string());

const windowQuery = z
  .string()
  .refine(
    (q) => q.includes('{{.window}}'),
    'expected a PromQL query with a {{.window}} placeholder, such as sum(rate(http_requests_total[{{.window}}]))',
  );

export const sloSchema = strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'expected a name of letters, digits, - and _'),
  service: z.string().min(1),
  description: z.string().optional(),
  objective: fraction.refine((f) => f > 0 && f < 1, 'expected an objective below 100 %, such as 99.9%'),
  sli: z.union(
    [
      strictObject({ events: strictObject({ errorQuery: windowQuery, totalQuery: windowQuery }) }),
      strictObject({
        latency: strictObject({
          metric: z
            .string()
            .regex(
              /^[a-zA-Z_:][a-zA-Z0-9_:]*$/,
              'expected a histogram name such as http_request_duration_seconds',
            ),
          selector: z
            .string()
            .regex(/^\{.*\}$/, 'expected matchers in braces such as {service="checkout"}')
            .optional(),
          threshold: durationMs,
        }),
      }),
    ],
    {
      error: () =>
        'expected sli: {events: {errorQuery, totalQuery}} or sli: {latency: {metric, selector, threshold}}',
    },
  ),
  /** Multiply every burn-rate window by this (e.g. 1/720 turns 1h into 5s for short runs). */
  windowScale: z.number().positive().max(1).default(1),
  labels: labelMap.optional(),
  alerting: strictObject({
    name: z.string().min(1).optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    page: strictObject({ labels: labelMap.optional(), disable: z.boolean().optional() }).optional(),
    ticket: strictObject({ labels: labelMap.optional(), disable: z.boolean().optional() }).optional(),
  }).optional(),
});

export type SloSpec = z.output<typeof sloSchema>;
