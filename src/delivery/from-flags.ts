import { usageError } from '../core/errors.js';
import { parseDurationMs } from '../core/units.js';
import { parseInput } from '../mesh/validate.js';
import { rolloutSchema } from '../spec/sections/rollout.js';
import { rolloutFromEntry } from './from-spec.js';
import type { RolloutSpec } from './model.js';

/**
 * A rollout from `shakedown rollout start` flags, for services without a `rollout:`
 * entry (or to try a variant): the flags become a `rollout:` entry that goes through the
 * same schema, so defaults and errors are the spec's. `--steps 10,50` is a canary of
 * setWeight 10, analysis, setWeight 50, analysis; tokens may also be `analysis`, `pause`
 * (until promoted) or `pause:30s`. The analysis is the canary judge (unless `--no-judge`)
 * plus the mesh checks asked for (`--success-rate`, `--max-p99`).
 */
export interface RolloutFlags {
  /** The version to roll out (`--to`). */
  to?: string;
  stable?: string;
  replicas?: number;
  strategy?: string;
  steps?: string;
  analysisInterval?: string;
  analysisCount?: number;
  judge?: boolean;
  successRate?: number;
  maxP99?: string;
  onNoData?: string;
  previewHeader?: string;
  previewMirror?: string;
  manual?: boolean;
  loadUrl?: string;
  loadRate?: string;
  loadListener?: string;
  loadScenario?: string;
  progressDeadline?: string;
  scaleDownDelay?: string;
  abortScaleDownDelay?: string;
  webhook?: string[];
  alertmanager?: string[];
}

function analysisOf(f: RolloutFlags): Record<string, unknown> {
  const metrics: Record<string, unknown>[] = [];
  if (f.judge !== false) metrics.push({ name: 'judge', provider: { type: 'judge' } });
  if (f.successRate !== undefined)
    metrics.push({
      name: 'success-rate',
      provider: { type: 'mesh', metric: 'success_rate' },
      successCondition: `>= ${f.successRate}`,
    });
  if (f.maxP99 !== undefined)
    metrics.push({
      name: 'p99',
      provider: { type: 'mesh', metric: 'latency_p99_ms' },
      successCondition: `<= ${parseDurationMs(f.maxP99, '--max-p99')}`,
    });
  if (metrics.length === 0)
    throw usageError(
      'E_USAGE',
      'no analysis: --no-judge without --success-rate or --max-p99',
      'keep the judge, or add a check',
    );
  return {
    interval: f.analysisInterval ?? '20s',
    count: f.analysisCount ?? 1,
    ...(f.onNoData ? { noData: f.onNoData } : {}),
    metrics,
  };
}

function stepsOf(text: string): Array<Record<string, unknown>> {
  const tokens = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokens.length === 0)
    throw usageError(
      'E_USAGE',
      `--steps "${text}" has no steps`,
      '--steps 10,50 or 10,analysis,pause:30s,50',
    );
  const onlyWeights = tokens.every((t) => /^\d+(\.\d+)?$/.test(t));
  const out: Array<Record<string, unknown>> = [];
  for (const t of tokens) {
    if (/^\d+(\.\d+)?$/.test(t)) {
      out.push({ setWeight: Number(t) });
      if (onlyWeights) out.push({ analysis: { templates: ['default'] } });
    } else if (t === 'analysis') out.push({ analysis: { templates: ['default'] } });
    else if (t === 'pause') out.push({ pause: {} });
    else if (t.startsWith('pause:')) out.push({ pause: { duration: t.slice(6) } });
    else
      throw usageError(
        'E_USAGE',
        `--steps: "${t}" is not a weight, analysis, pause or pause:DURATION`,
        '--steps 10,50 or 10,analysis,pause:30s,50',
      );
  }
  return out;
}

function header(text: string): Record<string, unknown> {
  const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(text);
  if (!m) throw usageError('E_USAGE', `--preview-header "${text}": expected NAME=VALUE such as x-preview=1`);
  return { header: m[1], equals: m[2] };
}

/** The rollout the flags describe, validated like a `rollout:` entry. */
export function rolloutFromFlags(service: string, f: RolloutFlags): RolloutSpec {
  if (!f.to)
    throw usageError(
      'E_USAGE',
      `no rollout for ${service} in the spec: give --to VERSION`,
      'shakedown rollout start catalog --to v2 --steps 10,50',
    );
  const strategy = f.strategy ?? 'canary';
  const entry: Record<string, unknown> = {
    version: f.to,
    ...(f.stable ? { stableVersion: f.stable } : {}),
    ...(f.replicas ? { replicas: f.replicas } : {}),
    ...(f.progressDeadline ? { progressDeadline: f.progressDeadline } : {}),
    ...(f.scaleDownDelay ? { scaleDownDelay: f.scaleDownDelay } : {}),
    ...(f.abortScaleDownDelay ? { abortScaleDownDelay: f.abortScaleDownDelay } : {}),
    notifiers: [
      ...(f.webhook ?? []).map((url) => ({ type: 'webhook', url })),
      ...(f.alertmanager ?? []).map((url) => ({ type: 'alertmanager', url })),
    ],
  };
  if (f.loadUrl || f.loadScenario)
    entry.load = {
      ...(f.loadUrl ? { url: f.loadUrl } : {}),
      ...(f.loadScenario ? { scenario: f.loadScenario } : {}),
      ...(f.loadRate ? { rate: f.loadRate } : {}),
      ...(f.loadListener ? { listener: f.loadListener } : {}),
    };
  if (strategy === 'canary') {
    entry.analyses = { default: analysisOf(f) };
    entry.canary = { steps: stepsOf(f.steps ?? '20,50') };
  } else if (strategy === 'blue-green' || strategy === 'blueGreen') {
    const wantsAnalysis = f.successRate !== undefined || f.maxP99 !== undefined;
    entry.blueGreen = {
      ...(f.previewHeader ? { previewRoute: header(f.previewHeader) } : {}),
      ...(f.previewMirror ? { previewMirror: f.previewMirror } : {}),
      ...(wantsAnalysis ? { prePromotionAnalysis: { ...analysisOf({ ...f, judge: false }) } } : {}),
      autoPromotion: !f.manual,
    };
  } else throw usageError('E_USAGE', `--strategy ${strategy}: expected canary or blue-green`);
  const parsed = parseInput(rolloutSchema, entry, `rollout of ${service} from flags`);
  return rolloutFromEntry(service, parsed);
}
