import { formatDurationMs } from '../../core/units.js';
import type { Output, RunInfo, SecondReport } from '../output.js';
import type { LoadSummary } from '../summary.js';

/**
 * The live progress line on a terminal: elapsed and time left, VUs, requests per second,
 * p50 / p99 of the last second, and the error rate so far. Redrawn in place once a second.
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressOutput implements Output {
  readonly name = 'progress';
  private info: RunInfo | undefined;
  private requests = 0;
  private errors = 0;
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  start(info: RunInfo): void {
    this.info = info;
  }

  write(s: SecondReport): void {
    this.requests += s.point.requests;
    this.errors += s.point.errors;
    this.stream.write(`\r\x1b[2K${this.line(s)}`);
    this.drawn = true;
  }

  /** The text of the line (exported for tests). */
  line(s: SecondReport): string {
    const info = this.info;
    const elapsedMs = (s.index + 1) * 1000;
    const plannedMs = info?.plannedDurationMs ?? 0;
    const left = Math.max(0, plannedMs - elapsedMs);
    const errRate = this.requests ? (100 * this.errors) / this.requests : 0;
    const vusMax = info?.plannedMaxVus ?? 0;
    const text =
      `running ${formatDurationMs(elapsedMs)}/${formatDurationMs(plannedMs)}  ` +
      `VUs ${s.point.vus}/${vusMax}  ${s.point.requests} req/s  ` +
      `p50 ${s.point.p50Ms.toFixed(1)}ms  p99 ${s.point.p99Ms.toFixed(1)}ms  ` +
      `errors ${errRate.toFixed(2)}%  ${left > 0 ? `${formatDurationMs(left)} left` : 'finishing'}`;
    const cols = this.stream.columns ?? 120;
    return text.length > cols - 1 ? text.slice(0, cols - 1) : text;
  }

  stop(_summary: LoadSummary): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
  }
}
