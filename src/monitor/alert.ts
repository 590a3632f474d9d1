import type { Labels } from './labels.js';

/**
 * An alert as notifiers and the JSON output see it (the shape of Alertmanager's alerts):
 * labels with `alertname`, annotations, `startsAt`, and `endsAt` once resolved.
 */
export interface Alert {
  labels: Labels;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  /** The expression value (anomaly rules: the anomaly score) at the last evaluation. */
  value: number;
  startsAtMs: number;
  /** Set when resolved. */
  endsAtMs?: number;
  /** Which rule produced it: group and rule kind. */
  group: string;
  kind: 'alert' | 'anomaly';
  fingerprint: string;
}

/** Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted names and values, hex. */
export function fingerprint(labels: Labels): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  const feed = (s: string) => {
    for (const b of Buffer.from(s, 'utf8')) {
      h ^= BigInt(b);
      h = (h * prime) & mask;
    }
  };
  for (const k of Object.keys(labels).sort()) {
    feed(k);
    feed('\xff');
    feed(labels[k] as string);
    feed('\xff');
  }
  return h.toString(16).padStart(16, '0');
}
