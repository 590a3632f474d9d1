import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The revert journal: every fault is written here — fsync'd — before it is injected, and
 * marked when it is reverted, so whatever happens to the controller (a crash, `kill -9`),
 * `shakedown chaos stop` can read what is still in force and undo it. One JSON object per
 * line in `<state-dir>/chaos/journal.jsonl`, appended only; a torn last line (the process
 * died while writing it) is skipped. The file is emptied when nothing in it is active.
 */
export interface JournalEntry {
  /** The fault instance id (`chaos-<run>-<n>`), also its id in the mesh or its toxic name. */
  id: string;
  runId: string;
  /** The controller that injected it. */
  pid: number;
  /** The fault type (its registry key), whose revert undoes it. */
  type: string;
  /** What the revert needs: ids, targets, the controls to reach (admin URL, token file). */
  data: Record<string, unknown>;
  /** When it was written (before the injection), ms since the epoch. */
  writtenAtMs: number;
  /** When its TTL runs out: after this it is gone whatever happened. */
  expiresAtMs: number;
}

type Line =
  | ({ op: 'begin' } & JournalEntry)
  | { op: 'injected'; id: string; atMs: number }
  | { op: 'reverted'; id: string; atMs: number; how: string };

export interface ActiveEntry extends JournalEntry {
  injected: boolean;
}

export class RevertJournal {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'chaos', 'journal.jsonl');
  }

  /** Records a fault about to be injected; returns when it is on disk. */
  begin(entry: JournalEntry): void {
    this.append({ op: 'begin', ...entry });
  }

  injected(id: string, atMs: number): void {
    this.append({ op: 'injected', id, atMs });
  }

  /** Records that a fault is gone (`how`: reverted, expired, stopped, gone). */
  reverted(id: string, atMs: number, how = 'reverted'): void {
    this.append({ op: 'reverted', id, atMs, how });
    if (this.active().length === 0) this.truncate();
  }

  /** Faults begun and not reverted, oldest first. */
  active(): ActiveEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const open = new Map<string, ActiveEntry>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a torn write
      }
      if (line.op === 'begin') {
        const { op: _, ...entry } = line;
        open.set(entry.id, { ...entry, injected: false });
      } else if (line.op === 'injected') {
        const e = open.get(line.id);
        if (e) e.injected = true;
      } else if (line.op === 'reverted') open.delete(line.id);
    }
    return [...open.values()];
  }

  private append(line: Line): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private truncate(): void {
    const fd = openSync(this.file, 'w', 0o600);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
