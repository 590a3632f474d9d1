import type { RunEvent } from '../../core/event.js';
import type { LatencySummaryMs } from '../../core/histogram.js';
import { formatDurationMs } from '../../core/units.js';
import type { ChaosReport } from './report.js';

/**
 * The console form of an experiment report: verdict first (and when the hypothesis broke),
 * then availability and latency before / during / after, time-to-detect and MTTR, each
 * fault with its targets, the databases' write checks, and the timeline.
 */
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(3)}%`);
const ms = (v: number | null) =>
  v === null
    ? '—'
    : v < 60_000
      ? `${v < 1000 ? Math.round(v) : (v / 1000).toFixed(2)}${v < 1000 ? 'ms' : 's'}`
      : formatDurationMs(v);
const lat = (l: LatencySummaryMs) =>
  l.count ? `p50 ${l.p50}ms  p95 ${l.p95}ms  p99 ${l.p99}ms  max ${l.max}ms` : 'no requests';

function offset(t: number, start: number): string {
  return `+${((t - start) / 1000).toFixed(1)}s`.padStart(8);
}

/** One line for an event on the timeline (also the progress lines). */
export function eventLine(e: RunEvent, start: number): string {
  const d = e.data as Record<string, unknown>;
  const detail =
    e.kind === 'fault.injected' && Array.isArray(d.targets)
      ? `${d.type} → ${(d.targets as string[]).join(', ')}`
      : e.kind === 'hypothesis.violated'
        ? `${d.probe}: ${d.detail ?? d.value}`
        : e.kind === 'fault.reverted' && d.how !== undefined
          ? `${d.type} (${d.how})`
          : typeof d.reason === 'string'
            ? d.reason
            : typeof d.message === 'string'
              ? d.message
              : '';
  return `${offset(e.t, start)}  ${e.kind.padEnd(22)} ${e.subject}${detail ? `  ${detail}` : ''}`;
}

export function formatReport(r: ChaosReport, opts: { color?: boolean } = {}): string {
  const paint = (code: number, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const status =
    r.status === 'passed'
      ? paint(32, 'PASSED')
      : r.status === 'failed'
        ? paint(31, 'FAILED')
        : paint(33, 'ABORTED');
  const out: string[] = [];
  out.push(`experiment ${r.experiment}: ${status}${r.runId ? `  (run ${r.runId})` : ''}`);
  const h = r.hypothesis;
  if (h.verdict === 'held') out.push('  hypothesis    held (before, during and after the faults)');
  else if (h.firstViolation) {
    const v = h.firstViolation;
    out.push(
      `  hypothesis    ${h.verdict === 'not-steady' ? 'not steady before the method' : 'VIOLATED'}: ${v.probe} at +${((h.firstViolationAfterMs ?? 0) / 1000).toFixed(1)}s (${v.phase})${v.detail ? ` — ${v.detail}` : ''}`,
    );
  }
  if (r.abortedBy && r.abortedBy !== 'not-steady')
    out.push(`  aborted       ${r.abortedBy}: ${r.reason ?? ''}`);
  out.push(
    `  availability  before ${pct(r.availability.before)}  during ${pct(r.availability.during)}  after ${pct(r.availability.after)}`,
  );
  out.push(`  latency       before  ${lat(r.latencyByPhaseMs.before)}`);
  out.push(`                during  ${lat(r.latencyByPhaseMs.during)}`);
  out.push(`                after   ${lat(r.latencyByPhaseMs.after)}`);
  out.push(
    `  requests      ${r.requests} (${r.rps}/s), lost during the faults ${r.requestsLost}${r.traffic.during.requests ? ` of ${r.traffic.during.requests}` : ''}`,
  );
  out.push(
    `  detect        ${ms(r.timeToDetectMs)}   MTTR mean ${ms(r.mttr.meanMs)}  max ${ms(r.mttr.maxMs)}  (${r.mttr.count - r.mttr.unrecovered}/${r.mttr.count} recovered)`,
  );
  if (r.faults.length) {
    out.push('  faults');
    for (const f of r.faults) {
      out.push(
        `    ${offset(f.injectedAt, r.startedAt)}  ${f.type.padEnd(16)} ${f.targets.join(', ')}  detect ${ms(f.timeToDetectMs)}  recover ${ms(f.timeToRecoverMs)}`,
      );
    }
  }
  for (const [name, d] of Object.entries(r.databases)) {
    out.push(
      `  database ${name}: ${d.acknowledged} writes acknowledged, ${paint(d.lost ? 31 : 32, `${d.lost} lost`)}, ${d.inDoubt} in doubt, ${d.failed} failed; writes unavailable ${ms(d.longestOutageMs)}`,
    );
  }
  const notable = r.timeline
    .filter(
      (e) => !/^(experiment|method)\./.test(e.kind) && !(e.source === 'mesh' && /^fault\./.test(e.kind)),
    )
    .slice(0, 60);
  if (notable.length) {
    out.push('  timeline');
    for (const e of notable) out.push(`  ${eventLine(e, r.startedAt)}`);
  }
  return `${out.join('\n')}\n`;
}
