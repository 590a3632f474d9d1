import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Random } from '../core/random.js';
import type { DataSpec } from '../spec/sections/load.js';
import type { DataConfig } from './model.js';

/**
 * Data feeds: rows from a CSV file (header line = column names), a JSON file (an array of
 * objects) or inline rows. `per-vu`: each VU keeps one row (VU n takes row n mod rows);
 * `per-iteration`: each iteration takes the next row (or a random one).
 */
export function loadFeed(spec: DataSpec, baseDir: string): DataConfig {
  let rows: Array<Record<string, unknown>>;
  if (spec.rows) {
    rows = spec.rows;
  } else if (spec.file) {
    const path = resolve(baseDir, spec.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ShakedownError('E_DATA_READ', `cannot read data file ${path}: ${(e as Error).message}`, {
        exitCode: ExitCode.usage,
      });
    }
    const format = spec.format ?? (extname(path).toLowerCase() === '.json' ? 'json' : 'csv');
    rows = format === 'json' ? parseJsonRows(text, path) : parseCsvRows(text, path);
  } else {
    throw new ShakedownError('E_DATA', 'a data feed needs `file` or `rows`', { exitCode: ExitCode.usage });
  }
  if (rows.length === 0) {
    throw new ShakedownError('E_DATA', `data feed ${spec.file ?? '(inline)'} has no rows`, {
      exitCode: ExitCode.usage,
    });
  }
  return {
    rows: rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    ),
    mode: spec.mode,
    order: spec.order,
  };
}

function parseCsvRows(text: string, path: string): Array<Record<string, unknown>> {
  try {
    return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<
      Record<string, unknown>
    >;
  } catch (e) {
    throw new ShakedownError('E_DATA', `invalid CSV in ${path}: ${(e as Error).message}`, {
      exitCode: ExitCode.usage,
    });
  }
}

function parseJsonRows(text: string, path: string): Array<Record<string, unknown>> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ShakedownError('E_DATA', `invalid JSON in ${path}: ${(e as Error).message}`, {
      exitCode: ExitCode.usage,
    });
  }
  if (!Array.isArray(v) || v.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
    throw new ShakedownError('E_DATA', `JSON data in ${path} must be an array of objects`, {
      exitCode: ExitCode.usage,
    });
  }
  return v as Array<Record<string, unknown>>;
}

/** Column names across all rows. */
export function feedColumns(data: DataConfig | undefined): string[] {
  if (!data) return [];
  const cols = new Set<string>();
  for (const r of data.rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols];
}

/** Picks rows for one VU. `iterationSeq` is a scenario-wide counter shared by its VUs in this thread. */
export class FeedCursor {
  constructor(
    private readonly data: DataConfig,
    private readonly vuIndex: number,
    private readonly random: Random,
    private readonly nextSeq: () => number,
  ) {}

  row(): Record<string, string> {
    const rows = this.data.rows;
    if (this.data.mode === 'per-vu') {
      return rows[this.vuIndex % rows.length] as Record<string, string>;
    }
    if (this.data.order === 'random')
      return rows[Math.floor(this.random.next() * rows.length)] as Record<string, string>;
    return rows[this.nextSeq() % rows.length] as Record<string, string>;
  }
}
