import { formatLabels } from '../labels.js';
import type { Watcher } from './watcher.js';

/**
 * The live status of a running watch, redrawn in place on a terminal: sources (last
 * collection, errors), alerts by state, latest anomaly scores, scaling recommendations.
 */
export function renderStatus(w: Watcher, nowMs: number, width = 120): string[] {
  const clip = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  const lines: string[] = [];
  const up = Math.round((nowMs - w.startedAtMs) / 1000);
  lines.push(`shakedown watch — ${up}s, ${w.evaluations} evaluations, ${w.series()} series`);
  for (const s of w.sourceStatus()) {
    const age = s.lastMs ? `${((nowMs - s.lastMs) / 1000).toFixed(1)}s ago` : 'not yet';
    lines.push(clip(`  source ${s.name.padEnd(20)} ${age}${s.error ? `  error: ${s.error}` : ''}`));
  }
  const alerts = w.engine.alerts();
  const firing = alerts.filter((a) => a.state === 'firing');
  const pending = alerts.filter((a) => a.state === 'pending');
  lines.push(`  alerts: ${firing.length} firing, ${pending.length} pending`);
  for (const a of [...firing, ...pending].slice(0, 8)) {
    const { alertname, ...rest } = a.alert.labels;
    lines.push(
      clip(
        `    ${a.state === 'firing' ? 'FIRING ' : 'pending'} ${alertname}${formatLabels(rest)} = ${a.alert.value.toPrecision(3)}`,
      ),
    );
  }
  for (const s of w.anomalyScores().slice(0, 6))
    lines.push(clip(`  anomaly ${s.rule}${formatLabels(s.labels)} score ${s.score.toFixed(3)}`));
  for (const s of w.scalingStatus()) {
    const peak = Number.isFinite(s.forecastPeak) ? s.forecastPeak.toFixed(1) : 'learning';
    lines.push(
      clip(
        `  scaling ${s.service}: rate ${Number.isFinite(s.rate) ? s.rate.toFixed(1) : '-'}/s, forecast peak ${peak}/s → ${s.replicas} replicas (${s.recommendation?.reason ?? 'waiting'})`,
      ),
    );
  }
  return lines;
}
