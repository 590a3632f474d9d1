import { formatDurationMs } from '../core/units.js';
import type { ServiceStatus } from './status.js';

/**
 * The status table `shakedown up` shows: one row per replica with its state, pid, URL,
 * restarts and how long it has been up (or why it is down). Pure: a function of the
 * fleet's status and the time.
 */
export function formatStatusTable(
  services: ServiceStatus[],
  nowMs: number,
  options: { color?: boolean } = {},
): string {
  const rows: string[][] = [['SERVICE', 'VERSION', 'REPLICA', 'STATE', 'PID', 'URL', 'RESTARTS', 'UP']];
  const states: string[] = [''];
  for (const s of services) {
    for (const v of s.versions) {
      if (v.replicas.length === 0 && v.desired === 0) continue;
      for (const r of v.replicas) {
        const up =
          r.state === 'ready' && r.readyAt !== undefined
            ? formatDurationMs(Math.max(0, nowMs - r.readyAt))
            : (r.reason ??
              (r.lastExit ? `last exit ${r.lastExit.signal ?? `code ${r.lastExit.code}`}` : '-'));
        rows.push([
          s.name,
          v.name,
          r.id,
          r.state,
          r.pid === undefined ? '-' : String(r.pid),
          r.url,
          String(r.restarts),
          up,
        ]);
        states.push(r.state);
      }
    }
  }
  // The last column is not padded, so a long reason does not widen the table.
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return `${rows
    .map((row, j) => {
      const cells = row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)));
      if (options.color && j > 0) cells[3] = paint(states[j] ?? '', cells[3] ?? '');
      return cells.join('  ').trimEnd();
    })
    .join('\n')}\n`;
}

function paint(state: string, text: string): string {
  const code = state === 'ready' ? 32 : state === 'crash-loop' || state === 'failed' ? 31 : 33;
  return `\u001b[${code}m${text}\u001b[0m`;
}
