import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Output } from '../output.js';
import type { LoadSummary } from '../summary.js';

/**
 * `--out summary.json`: the summary as JSON, written atomically (temp file + rename) when
 * the run ends — also when it was interrupted, with what was measured so far.
 */
export class JsonFileOutput implements Output {
  readonly name = 'json';
  constructor(private readonly path: string) {}
  start(): void {
    mkdirSync(dirname(this.path), { recursive: true });
  }
  write(): void {}
  stop(summary: LoadSummary): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(summary, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}
