import { type Clock, systemClock } from '../../core/clock.js';
import type { RunEvent } from '../../core/event.js';
import { createRandom } from '../../core/random.js';
import type { Window } from '../../core/window.js';
import { runLoadTest } from '../../load/engine.js';
import type { Output } from '../../load/output.js';
import type { LoadSummary } from '../../load/summary.js';
import type { LoadedSpec } from '../../spec/load-spec.js';
import { chaosActionRegistry } from '../actions/registry.js';
import type { ChaosControls } from '../control/types.js';
import { chaosFaultRegistry } from '../faults/registry.js';
import type { FaultContext } from '../faults/types.js';
import type { Phase, ProbeRound } from '../measure/types.js';
import type { DatabaseRegistry } from '../postgres/databases.js';
import type { WriteVerdict } from '../postgres/writer.js';
import { LiveWindows } from '../probes/live-windows.js';
import { probeRegistry } from '../probes/registry.js';
import type { ProbeContext } from '../probes/types.js';
import type { ExperimentSpec, ProbeSpec } from '../schema.js';
import { AbortWatch } from './abort-watch.js';
import { Injector } from './injector.js';
import type { RevertJournal } from './journal.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { experimentLoadConfig } from './load-config.js';
import { runSteps } from './method.js';
import { planMethod } from './plan.js';
import { type NamedProbe, ProbeLoop } from './probe-loop.js';
import { buildReport, type ChaosReport } from './report.js';

/**
 * Runs one experiment on a running platform: the load starts, the hypothesis is checked
 * every interval (before, during, after), the method runs — every fault journaled before
 * it is injected, held as a renewed lease, reverted when its step ends — then the
 * rollbacks, then the observation after; an abort condition or Ctrl-C reverts everything
 * at once. The report is computed from what was observed. The I/O loop; decisions are the
 * pure functions under measure/.
 */
export interface ExperimentRunOptions {
  name: string;
  experiment: ExperimentSpec;
  loaded: LoadedSpec | undefined;
  controls: ChaosControls;
  databases: DatabaseRegistry;
  keeper: LeaseKeeper;
  journal: RevertJournal;
  runId: string;
  stateDir: string;
  leaseMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  seed?: number;
  loadWorkers?: number;
  /** More outputs for the load (the results store, progress). */
  loadOutputs?: Output[];
  onEvent?(e: RunEvent): void;
  onRound?(r: ProbeRound): void;
}

function probeName(p: ProbeSpec, i: number): string {
  return (p.name as string | undefined) ?? `${p.type}-${i + 1}`;
}

export async function runExperiment(o: ExperimentRunOptions): Promise<ChaosReport> {
  const clock = o.clock ?? systemClock;
  const exp = o.experiment;
  const events: RunEvent[] = [];
  const emit = (e: RunEvent) => {
    events.push(e);
    o.onEvent?.(e);
  };
  const ctx: FaultContext = {
    controls: o.controls,
    random: createRandom(o.seed ?? exp.seed ?? Date.now() & 0x7fffffff),
    keeper: o.keeper,
    databases: o.databases,
    spec: o.loaded?.spec,
    stateDir: o.stateDir,
    now: () => clock.now(),
    emit: (kind, subject, data = {}) => emit({ t: clock.now(), kind, source: 'chaos', subject, data }),
  };
  const live = new LiveWindows();
  const loadWindows: Window[] = [];
  const unsubscribe = [
    o.controls.subscribeEvents((e) => emit(e)),
    o.controls.subscribeMeshWindows((ws) => live.add('mesh', ws)),
  ];
  const probes = probeRegistry();
  const pctx: ProbeContext = { controls: o.controls, live, databases: o.databases, clock };
  const allPhases: Phase[] = ['before', 'during', 'after'];
  const named: NamedProbe[] = exp.hypothesis.probes.map((p, i) => ({
    name: probeName(p, i),
    phases: (p.phases as Phase[] | undefined) ?? allPhases,
    probe: probes.get(p.type).create(strip(p), pctx),
  }));
  const abortWatch = new AbortWatch(
    exp.abort.map((a, i) => ({
      name: `abort:${probeName(a.probe, i)}`,
      probe: probes.get(a.probe.type).create(strip(a.probe), pctx),
      forMs: a.for,
    })),
  );
  const abortProbes: NamedProbe[] = abortWatch.conditions.map((c) => ({
    name: c.name,
    phases: allPhases,
    probe: c.probe,
  }));

  const injector = new Injector(chaosFaultRegistry(), ctx, o.journal, {
    runId: o.runId,
    leaseMs: o.leaseMs,
    journalData: o.controls.remote ? { controls: o.controls.remote } : {},
    emit,
  });
  const methodAbort = new AbortController();
  let abortedBy: string | null = null;
  let reason: string | null = null;
  const abort = (by: string, why: string) => {
    if (abortedBy === null) {
      abortedBy = by;
      reason = why;
      ctx.emit('experiment.aborting', o.name, { by, reason: why });
    }
    methodAbort.abort(by);
  };
  const onUser = () => abort('interrupted', 'interrupted');
  if (o.signal?.aborted) onUser();
  o.signal?.addEventListener('abort', onUser, { once: true });

  const rounds: ProbeRound[] = [];
  let wasHealthy = true;
  const loop = new ProbeLoop([...named, ...abortProbes], exp.hypothesis.interval, clock, (r) => {
    const hyp: ProbeRound = { ...r, results: r.results.filter((x) => !x.probe.startsWith('abort:')) };
    rounds.push(hyp);
    o.onRound?.(hyp);
    const healthy = hyp.results.every((x) => x.ok);
    if (healthy !== wasHealthy) {
      const failed = hyp.results.find((x) => !x.ok);
      // At the round's time: when the probes looked, not when the slowest one answered.
      emit({
        t: r.t,
        kind: healthy ? 'hypothesis.restored' : 'hypothesis.violated',
        source: 'chaos',
        subject: o.name,
        data: {
          phase: r.phase,
          ...(failed ? { probe: failed.probe, value: failed.value, detail: failed.detail } : {}),
        },
      });
      wasHealthy = healthy;
    }
    for (const x of r.results) {
      if (!x.probe.startsWith('abort:')) continue;
      const why = abortWatch.update(x.probe, x.ok, r.t, x.detail);
      if (why) abort('abort-condition', why);
    }
  });

  const plan = planMethod(exp.method);
  const startedAt = clock.now();
  ctx.emit('experiment.started', o.name, {
    plannedMs: exp.before + plan.durationMs + exp.after,
    runId: o.runId,
  });
  const loadStop = new AbortController();
  let loadRun: Promise<LoadSummary | undefined> = Promise.resolve(undefined);
  if (exp.load) {
    const config = experimentLoadConfig(o.loaded, exp.load, exp.before + plan.durationMs + exp.after, {
      baseUrl: o.controls.listenerUrl(),
      workers: o.loadWorkers,
      seed: o.seed ?? exp.seed,
    });
    const windowsOut: Output = {
      name: 'chaos-windows',
      start: () => {},
      write: (second) => {
        loadWindows.push(...second.windows);
        live.add('load', second.windows);
      },
      stop: () => {},
    };
    loadRun = runLoadTest(config, {
      outputs: [windowsOut, ...(o.loadOutputs ?? [])],
      signal: loadStop.signal,
    }).then((r) => r.summary);
    loadRun.catch((e) => abort('error', `load failed: ${(e as Error).message}`));
  }
  for (const db of o.databases.all()) await db.writer?.start();

  injector.start();
  loop.start();
  let methodStartMs = startedAt;
  let methodEndMs = startedAt;
  const databases: Record<string, WriteVerdict> = {};
  try {
    await clock.sleep(exp.before, methodAbort.signal);
    await loop.enter('during');
    const lastBefore = rounds.filter((r) => r.phase === 'before').at(-1);
    if (lastBefore?.results.some((x) => !x.ok) && abortedBy === null) {
      abortedBy = 'not-steady';
      reason = `not in a steady state before the method: ${lastBefore.results.find((x) => !x.ok)?.probe}`;
      ctx.emit('hypothesis.not-steady', o.name, { reason });
    }
    methodStartMs = clock.now();
    if (abortedBy === null) {
      ctx.emit('method.started', o.name, { steps: exp.method.length });
      try {
        await runSteps(exp.method, {
          injector,
          actions: chaosActionRegistry(),
          ctx,
          clock,
          signal: methodAbort.signal,
        });
      } catch (e) {
        abort('error', (e as Error).message);
      }
    }
    await injector.revertAll(abortedBy ?? 'method ended');
    methodEndMs = clock.now();
    ctx.emit('method.finished', o.name, {});
    await runRollbacks(exp, ctx);
    await loop.enter('after');
    if (abortedBy === null) await clock.sleep(exp.after, methodAbort.signal);
  } finally {
    await injector.revertAll(abortedBy ?? 'finished');
    injector.stop();
    await loop.close();
    loadStop.abort();
    await loadRun.catch(() => undefined);
    for (const db of o.databases.all()) {
      if (!db.writer) continue;
      await db.writer.stop();
      try {
        databases[db.name] = await db.writer.verify(db.cluster.url());
      } catch (e) {
        ctx.emit('database.verify-failed', db.name, { message: (e as Error).message });
      }
    }
    o.signal?.removeEventListener('abort', onUser);
    for (const u of unsubscribe) u();
  }
  const endedAt = clock.now();
  ctx.emit('experiment.finished', o.name, { abortedBy });
  return buildReport({
    experiment: o.name,
    startedAt,
    endedAt,
    methodStartMs,
    methodEndMs,
    rounds,
    injections: injector.injections(),
    events,
    loadWindows,
    recoveryRounds: exp.hypothesis.recovery,
    abortedBy,
    reason,
    databases,
  });
}

async function runRollbacks(exp: ExperimentSpec, ctx: FaultContext): Promise<void> {
  const actions = chaosActionRegistry();
  for (const a of exp.rollbacks) {
    const { type, ...params } = a as Record<string, unknown>;
    try {
      const result = await actions.get(type as string).run(params as never, ctx);
      ctx.emit('rollback.succeeded', type as string, result);
    } catch (e) {
      ctx.emit('rollback.failed', type as string, { message: (e as Error).message });
    }
  }
}

function strip(p: ProbeSpec): never {
  const { type: _, name: __, phases: ___, ...rest } = p as Record<string, unknown>;
  return rest as never;
}
