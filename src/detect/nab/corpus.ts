import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { WindowLimitsMs } from './sweep.js';
import type { CostMatrix } from './threshold.js';

/**
 * A NAB corpus on disk, in NAB's own layout: `data/<category>/<file>.csv`
 * (`timestamp,value`), `labels/combined_windows.json` and `profiles.json`.
 */

/** One series of the corpus. */
export interface NabFile {
  /** Relative path as in the labels, e.g. `realTraffic/speed_6005.csv`. */
  name: string;
  timestampsMs: Float64Array;
  values: Float64Array;
  windows: WindowLimitsMs[];
}

export interface NabProfile extends CostMatrix {
  name: string;
}

export interface NabCorpus {
  dir: string;
  files: NabFile[];
  profiles: NabProfile[];
}

const tsRe = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/** Parses NAB's naive timestamps (`2014-04-10 07:15:00[.000000]`) as UTC milliseconds. */
export function parseNabTimestamp(s: string): number {
  const m = tsRe.exec(s.trim());
  if (!m) throw new Error(`not a NAB timestamp: "${s}" (expected YYYY-MM-DD HH:MM:SS)`);
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return (
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + frac
  );
}

/** Reads a CSV with a header into columns; `wanted` columns must exist. */
export function readCsvColumns(path: string, wanted: readonly string[]): Record<string, string[]> {
  const rows = parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >;
  const out: Record<string, string[]> = {};
  for (const c of wanted) {
    if (rows.length > 0 && !(c in (rows[0] as Record<string, string>))) {
      throw corpusError(`${path}: no "${c}" column (columns: ${Object.keys(rows[0] ?? {}).join(', ')})`);
    }
    out[c] = rows.map((r) => r[c] as string);
  }
  return out;
}

function corpusError(message: string): ShakedownError {
  return new ShakedownError('E_NAB_CORPUS', message, { exitCode: ExitCode.environment });
}

/** Loads the profiles file (`{name: {CostMatrix: {tpWeight, fpWeight, fnWeight}}}`). */
export function loadProfiles(path: string): NabProfile[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  return Object.entries(raw).map(([name, p]) => ({
    name,
    tpWeight: p.CostMatrix.tpWeight,
    fpWeight: p.CostMatrix.fpWeight,
    fnWeight: p.CostMatrix.fnWeight,
  }));
}

/** Loads the labels: relative path → window limits in ms. */
export function loadWindows(path: string): Map<string, WindowLimitsMs[]> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Array<[string, string]>>;
  const out = new Map<string, WindowLimitsMs[]>();
  for (const [name, ws] of Object.entries(raw)) {
    out.set(
      name,
      ws.map(([a, b]) => [parseNabTimestamp(a), parseNabTimestamp(b)] as const),
    );
  }
  return out;
}

/** Loads every labelled series of the corpus under `dir`, sorted by name. */
export function loadNabCorpus(dir: string): NabCorpus {
  const windows = loadWindows(join(dir, 'labels', 'combined_windows.json'));
  const profiles = loadProfiles(join(dir, 'profiles.json'));
  const files: NabFile[] = [];
  const dataDir = join(dir, 'data');
  for (const category of readdirSync(dataDir).sort()) {
    let entries: string[];
    try {
      entries = readdirSync(join(dataDir, category));
    } catch {
      continue; // not a directory
    }
    for (const f of entries.sort()) {
      if (!f.endsWith('.csv')) continue;
      const name = `${category}/${f}`;
      const w = windows.get(name);
      if (!w) continue; // NAB scores only labelled files
      const cols = readCsvColumns(join(dataDir, category, f), ['timestamp', 'value']);
      const ts = cols.timestamp as string[];
      const vs = cols.value as string[];
      files.push({
        name,
        timestampsMs: Float64Array.from(ts, parseNabTimestamp),
        values: Float64Array.from(vs, Number),
        windows: w,
      });
    }
  }
  if (files.length === 0) throw corpusError(`no labelled series under ${dataDir}`);
  return { dir, files, profiles };
}
