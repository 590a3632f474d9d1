import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the replica logs of a service (`<logsDir>/<service>/<replica>.log`, rotated ones
 * `.log.1` … older): the last lines, and following new output across rotations. A
 * follower keeps its file open and reads to its end before it moves to a new file of the
 * same name, so no line is lost when the file is rotated under it.
 */

/** Replica ids with a log in `dir`, in index order (catalog-v1-2 before catalog-v1-10). */
export function replicaLogs(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.log'))
    .map((n) => n.slice(0, -4))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The last `n` lines of a replica's log, reaching into rotated files when needed. */
export function lastLines(dir: string, replica: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n && i < 100; i++) {
    const file = join(dir, i === 0 ? `${replica}.log` : `${replica}.log.${i}`);
    let text: string;
    try {
      text = readTail(file, 1 << 20);
    } catch {
      break;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    out.unshift(...lines.slice(-(n - out.length)));
  }
  return out.slice(-n);
}

function readTail(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // A cut in the middle of a line: drop the partial first line.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

/** Follows one log file from a position; `poll()` returns the complete new lines. */
export class LogFollower {
  private fd: number | undefined;
  private ino = -1;
  private position = 0;
  private partial = '';

  constructor(
    readonly file: string,
    fromEnd: boolean,
  ) {
    this.open(fromEnd);
  }

  poll(): string[] {
    if (this.fd === undefined) this.open(false);
    if (this.fd === undefined) return [];
    let text = this.drain();
    // Rotated (or recreated) under us: the old file is read to its end, then the new one.
    if (this.currentIno() !== this.ino) {
      closeSync(this.fd);
      this.fd = undefined;
      this.open(false);
      if (this.fd !== undefined) text += this.drain();
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(fromEnd: boolean): void {
    try {
      this.fd = openSync(this.file, 'r');
      const st = fstatSync(this.fd);
      this.ino = st.ino;
      this.position = fromEnd ? st.size : 0;
    } catch {
      this.fd = undefined;
    }
  }

  private drain(): string {
    const chunks: Buffer[] = [];
    // Bounded: at most 64 MiB per poll.
    for (let i = 0; i < 1024; i++) {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(this.fd as number, buf, 0, buf.length, this.position);
      if (n <= 0) break;
      this.position += n;
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private currentIno(): number {
    try {
      return statSync(this.file).ino;
    } catch {
      return this.ino;
    }
  }
}
