import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { decodeWindow, type EncodedWindow } from '../core/window.js';
import { readRunExportFile } from '../store/export-format.js';
import type { ResultsStore, RunRecord } from '../store/types.js';
import type { RunData } from './series.js';

/**
 * What `compare` accepts for a run: an exported run file (`*.json`), a baseline name, the
 * word `latest` (the newest finished run), or a run id / unique id prefix — tried in that
 * order. The store is opened only when an argument needs it.
 */
export interface ResolvedRun {
  data: RunData;
  record: Omit<RunRecord, 'windowCount' | 'eventCount'>;
  /** How it was named: `file f.json`, `baseline "main"`, `run 2026…`. */
  source: string;
}

export function looksLikeFile(arg: string): boolean {
  return /\.json$/i.test(arg) || arg.includes('/') || arg.includes('\\');
}

export function toRunData(
  record: Pick<RunRecord, 'id' | 'startMs' | 'plannedDurationMs'>,
  windows: readonly EncodedWindow[],
): RunData {
  return {
    id: record.id,
    startMs: record.startMs,
    plannedDurationMs: record.plannedDurationMs,
    windows: windows.map(decodeWindow),
  };
}

export async function resolveRun(
  arg: string,
  cwd: string,
  store: () => Promise<ResultsStore>,
): Promise<ResolvedRun> {
  if (looksLikeFile(arg)) {
    const path = resolve(cwd, arg);
    if (!existsSync(path)) throw usageError('E_RUN_FILE', `no such file: ${arg}`);
    const x = readRunExportFile(path);
    return { data: toRunData(x.run, x.windows), record: x.run, source: `file ${arg}` };
  }
  const s = await store();
  let record: RunRecord | undefined;
  let source: string;
  const baseline = await s.getBaseline(arg);
  if (baseline) {
    record = await s.getRun(baseline.runId);
    source = `baseline "${arg}"`;
  } else if (arg === 'latest') {
    record = (await s.listRuns({ limit: 20 })).find((r) => r.status !== 'running');
    source = 'latest run';
  } else {
    record = await s.findRun(arg);
    source = 'run';
  }
  if (!record) {
    throw usageError(
      'E_RUN_NOT_FOUND',
      `"${arg}" is not a run id, a baseline name or an exported run file`,
      'list them with `shakedown runs list` and `shakedown baseline list`',
    );
  }
  const { windowCount: _w, eventCount: _e, ...rest } = record;
  return { data: toRunData(record, await s.windows(record.id)), record: rest, source };
}
