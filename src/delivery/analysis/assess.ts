import type {
  AnalysisPhase,
  Measurement,
  MeasurementPhase,
  MetricLimits,
  MetricResult,
  NoDataPolicy,
} from './model.js';

/**
 * The pure decisions of an analysis, Argo Rollouts' `assessMetricStatus` and
 * `assessRunStatus`, densely tested: from measurements and limits to a metric's phase, and
 * from the metrics' phases to the analysis'. The controller acts only on their result.
 *
 * One deliberate difference from Argo: when every measurement of a metric was an error
 * (fewer in a row than the consecutive-error limit, so Argo would call it successful), the
 * metric is `inconclusive` — nothing was measured, and a rollout must not be promoted on
 * nothing.
 */
export function assessMetric(
  name: string,
  measurements: readonly Measurement[],
  limits: MetricLimits,
  terminating = false,
): MetricResult {
  let successful = 0;
  let failed = 0;
  let inconclusive = 0;
  let errors = 0;
  let consecutiveErrors = 0;
  for (const m of measurements) {
    if (m.phase === 'error') {
      errors++;
      consecutiveErrors++;
      continue;
    }
    consecutiveErrors = 0;
    if (m.phase === 'successful') successful++;
    else if (m.phase === 'failed') failed++;
    else inconclusive++;
  }
  const counts = { successful, failed, inconclusive, errors, consecutiveErrors };
  const result = (phase: AnalysisPhase, message: string): MetricResult => ({
    name,
    phase,
    message,
    measurements: [...measurements],
    ...counts,
  });
  const last = measurements[measurements.length - 1];
  if (failed > limits.failureLimit) {
    return result(
      'failed',
      `${failed} failed measurement${s(failed)} (failure limit ${limits.failureLimit})${last ? `: ${lastOf(measurements, 'failed')}` : ''}`,
    );
  }
  if (inconclusive > limits.inconclusiveLimit) {
    return result(
      'inconclusive',
      `${inconclusive} inconclusive measurement${s(inconclusive)} (limit ${limits.inconclusiveLimit}): ${lastOf(measurements, 'inconclusive')}`,
    );
  }
  if (consecutiveErrors > limits.consecutiveErrorLimit) {
    return result(
      'error',
      `${consecutiveErrors} errors in a row (limit ${limits.consecutiveErrorLimit}): ${lastOf(measurements, 'error')}`,
    );
  }
  if (measurements.length >= limits.count || (terminating && measurements.length > 0)) {
    if (successful === 0 && failed === 0 && inconclusive === 0) {
      return result('inconclusive', `no measurement succeeded (${errors} error${s(errors)})`);
    }
    return result(
      'successful',
      `${successful} of ${measurements.length} measurement${s(measurements.length)} successful`,
    );
  }
  if (terminating) return result('inconclusive', 'stopped before anything was measured');
  return result('running', `${measurements.length} of ${limits.count} measurements taken`);
}

const severity: Record<AnalysisPhase, number> = {
  failed: 4,
  error: 3,
  running: 2,
  inconclusive: 1,
  successful: 0,
};

/**
 * The phase of an analysis from its metrics' phases: failed if any failed, else error if
 * any errored (the analysis stops early on either), else running while any runs, else
 * inconclusive if any was, else successful. An analysis with no metrics is successful.
 */
export function assessAnalysis(phases: readonly AnalysisPhase[]): AnalysisPhase {
  let worst: AnalysisPhase = 'successful';
  for (const p of phases) if (severity[p] > severity[worst]) worst = p;
  return worst;
}

/** A measurement's phase when the provider found no data, by the analysis' explicit policy. */
export function noDataPhase(policy: NoDataPolicy): MeasurementPhase {
  return policy === 'pass' ? 'successful' : policy === 'fail' ? 'failed' : 'inconclusive';
}

function lastOf(ms: readonly Measurement[], phase: MeasurementPhase): string {
  for (let i = ms.length - 1; i >= 0; i--) if (ms[i]?.phase === phase) return ms[i]?.message ?? '';
  return '';
}

const s = (n: number) => (n === 1 ? '' : 's');
