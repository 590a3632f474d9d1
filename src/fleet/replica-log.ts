import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/**
 * The log of one replica slot: its stdout and stderr, interleaved as they arrive, in
 * `<dir>/<replica>.log`, rotated by size the classical way (`.log.1` is the newest old
 * file, at most `keep` of them) by `rotating-file-stream`. Restarts of the slot append to
 * the same file, after a `[shakedown] …` line saying what happened. The last lines are
 * also kept in memory, for crash-loop reports.
 */
export class ReplicaLog {
  private readonly stream: RotatingFileStream;
  private readonly tail: string[] = [];
  private partial = '';
  private readonly tailLines: number;
  private closed = false;

  /** The log file's path. */
  readonly path: string;

  constructor(
    dir: string,
    readonly replicaId: string,
    options: { maxSizeBytes: number; keep: number; tailLines?: number },
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${replicaId}.log`);
    this.tailLines = options.tailLines ?? 50;
    // In classical (logrotate) mode the generator gets only the rotation index: 0 or null
    // for the live file.
    const name = (index: number | Date | null) =>
      typeof index === 'number' && index > 0 ? `${replicaId}.log.${index}` : `${replicaId}.log`;
    this.stream = createStream(name, {
      path: dir,
      size: `${Math.max(1, Math.floor(options.maxSizeBytes))}B`,
      rotate: options.keep,
    });
    // A full disk must not take the fleet down; the replica keeps running without its log.
    this.stream.on('error', () => {});
  }

  /** Appends output of the replica. */
  write(chunk: Buffer | string): void {
    if (this.closed) return;
    this.stream.write(chunk);
    this.remember(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  }

  /** Appends a line from the fleet itself (start, exit, restart), marked as such. */
  note(message: string, atMs: number): void {
    const line = `${this.partial ? '\n' : ''}[shakedown] ${new Date(atMs).toISOString()} ${message}\n`;
    this.write(line);
  }

  /** The last `n` complete lines written (and a trailing partial line, if any). */
  lastLines(n = 20): string[] {
    const lines = this.partial ? [...this.tail, this.partial] : this.tail;
    return lines.slice(-n);
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.stream.end(() => resolve());
    });
  }

  private remember(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = (parts.pop() ?? '').slice(-4096);
    for (const p of parts) this.tail.push(p.length > 4096 ? `${p.slice(0, 4096)}…` : p);
    if (this.tail.length > this.tailLines) this.tail.splice(0, this.tail.length - this.tailLines);
  }
}
