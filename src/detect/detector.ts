import { usageError } from '../core/errors.js';

/**
 * The detector contract (DESIGN.md): a streaming anomaly detector sees one value at a
 * time and answers at once with an anomaly score in [0, 1]. It keeps its own state and
 * uses only the values it has already seen — no look-ahead, no file-wide minimum or
 * maximum: ranges are estimated online.
 */
export interface Detector {
  /** Feeds the value observed at `t` (ms since the epoch); returns its anomaly score in [0, 1]. */
  update(t: number, value: number): number;
}

/** Numeric parameters of a detector, by name. */
export type DetectorParams = Record<string, number>;

/** How a detector type is described and built; one per registry entry. */
export interface DetectorPlugin<P extends DetectorParams = DetectorParams> {
  /** One line for `--help` and the README. */
  summary: string;
  /** Every parameter with its default; the only keys `create` accepts. */
  defaults: Readonly<P>;
  /** A fresh detector (one per series) with `params` over the defaults. */
  create(params: P): Detector;
}

/**
 * Merges `given` over `defaults`, rejecting unknown names and non-finite values with a
 * usage error that lists the parameters the detector has.
 */
export function resolveParams<P extends DetectorParams>(
  type: string,
  defaults: Readonly<P>,
  given: Readonly<Record<string, unknown>> = {},
): P {
  const out = { ...defaults } as Record<string, number>;
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) {
      throw usageError(
        'E_DETECTOR_PARAM',
        `detector "${type}" has no parameter "${k}"`,
        `parameters of ${type}: ${Object.keys(defaults).join(', ') || '(none)'}`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw usageError(
        'E_DETECTOR_PARAM',
        `detector "${type}": ${k} must be a finite number, got ${JSON.stringify(v)}`,
      );
    }
    out[k] = v;
  }
  return out as P;
}

/**
 * Maps a deviation of `z` standard deviations to a score that never saturates:
 * `z/(z + 3)`, so 3σ scores 0.5, 6σ 0.67, 30σ 0.91. Saturating maps (such as
 * `1 − 2·Q(z)`, which is exactly 1 from about 8σ) leave a threshold sweep nothing to
 * tell large outliers from huge ones.
 */
export function zToScore(z: number): number {
  const a = Math.abs(z);
  if (!Number.isFinite(a)) return Number.isNaN(a) ? 0 : 1;
  return a / (a + 3);
}

/** Clamps to [0, 1]; NaN (an undefined statistic) counts as "not anomalous". */
export function clampScore(x: number): number {
  if (!(x > 0)) return 0;
  return Math.min(x, 1);
}
