import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRandom } from '../../core/random.js';
import { remoteControls } from '../control/remote.js';
import type { ChaosControls } from '../control/types.js';
import { chaosFaultRegistry } from '../faults/registry.js';
import type { FaultContext } from '../faults/types.js';
import { DatabaseRegistry } from '../postgres/databases.js';
import { type ActiveEntry, RevertJournal } from './journal.js';
import { LeaseKeeper, type UndoStep } from './lease-keeper.js';

/**
 * `shakedown chaos stop`: ends every fault still in force. Controllers that are still
 * running (per the journal) are asked to stop (SIGINT: they revert their own faults and
 * exit); whatever the journal still lists is then reverted from the journaled data alone,
 * reaching the platform through its admin API; finally the admin API is swept for faults
 * and toxics that carry a chaos id but that no journal knows of.
 */
export interface StopResult {
  signalled: number[];
  reverted: Array<{ id: string; type: string; how: string }>;
  swept: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runUndo(steps: UndoStep[]): void {
  for (const s of steps) {
    try {
      if ('kill' in s) process.kill(-s.kill, s.signal ?? 'SIGKILL');
      else if ('unlink' in s) rmSync(s.unlink, { force: true });
      else if ('rmdir' in s) rmSync(s.rmdir, { recursive: true, force: true });
      else spawnSync(s.exec[0] as string, s.exec.slice(1), { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Already undone.
    }
  }
}

export async function stopChaos(
  stateDir: string,
  options: { attach?: { adminUrl: string; tokenFile: string } | undefined; waitMs?: number } = {},
): Promise<StopResult> {
  const journal = new RevertJournal(stateDir);
  const result: StopResult = { signalled: [], reverted: [], swept: [] };
  const controllers = [...new Set(journal.active().map((e) => e.pid))].filter(
    (p) => p !== process.pid && alive(p),
  );
  for (const pid of controllers) {
    try {
      process.kill(pid, 'SIGINT');
      result.signalled.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  const until = Date.now() + (options.waitMs ?? 15_000);
  while (result.signalled.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));

  const controls = new Map<string, ChaosControls | null>();
  const controlsFor = async (e: ActiveEntry): Promise<ChaosControls | null> => {
    const c = (e.data.controls as { adminUrl: string; tokenFile: string } | undefined) ?? options.attach;
    if (!c) return null;
    const key = `${c.adminUrl} ${c.tokenFile}`;
    if (!controls.has(key))
      controls.set(key, await remoteControls(c.adminUrl, c.tokenFile).catch(() => null));
    return controls.get(key) ?? null;
  };
  const registry = chaosFaultRegistry();
  const keeper = new LeaseKeeper();
  for (const e of journal.active()) {
    let how = 'gone';
    if (e.type === 'database') {
      runUndo((e.data.undo as UndoStep[] | undefined) ?? []);
      how = 'stopped';
    } else if (registry.has(e.type)) {
      const c = await controlsFor(e);
      const ctx: FaultContext = {
        controls: c ?? emptyControls(),
        random: createRandom(1),
        keeper,
        databases: new DatabaseRegistry(),
        spec: undefined,
        stateDir,
        now: Date.now,
        emit: () => {},
      };
      try {
        how = await registry.get(e.type).revert(e.data, ctx, e.id);
      } catch (err) {
        // The platform the fault lived in is gone (it went with the controller), or the
        // fault's lease already ran out: nothing is left to undo.
        how = `gone (${(err as Error).message.slice(0, 80)})`;
      }
    }
    journal.reverted(e.id, Date.now(), `stop: ${how}`);
    result.reverted.push({ id: e.id, type: e.type, how });
  }
  const sweep = [...controls.values()].filter((c): c is ChaosControls => c !== null);
  if (options.attach && sweep.length === 0) {
    const c = await remoteControls(options.attach.adminUrl, options.attach.tokenFile).catch(() => null);
    if (c) sweep.push(c);
  }
  for (const c of sweep) {
    for (const f of (await c.mesh?.faults().catch(() => [])) ?? []) {
      if (f.id.startsWith('chaos-') && (await c.mesh?.removeFault(f.id).catch(() => false)))
        result.swept.push(f.id);
    }
    for (const l of (await c.tcp?.listeners().catch(() => [])) ?? []) {
      for (const t of l.toxics) {
        if (t.name.startsWith('chaos-') && (await c.tcp?.removeToxic(l.name, t.name).catch(() => false)))
          result.swept.push(`${l.name}/${t.name}`);
      }
    }
    await c.close();
  }
  return result;
}

function emptyControls(): ChaosControls {
  return {
    mesh: undefined,
    fleet: undefined,
    tcp: undefined,
    listenerUrl: () => undefined,
    remote: undefined,
    subscribeMeshWindows: () => () => {},
    subscribeEvents: () => () => {},
    close: async () => {},
  };
}
