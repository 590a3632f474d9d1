import type { Clock } from '../core/clock.js';
import type { EventSink, RunEvent } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import type { LoadSummary } from '../load/summary.js';
import type { MeshControl } from '../mesh/control.js';
import type { LocalPlatform } from '../platform/local.js';
import type { LoadSection } from '../spec/sections/load.js';
import type { ResultsStore } from '../store/types.js';
import { RolloutControlServer } from './control-server.js';
import { RolloutController, type RolloutResult } from './controller.js';
import { fleetPort, type RolloutFleet } from './fleet-port.js';
import { loadDuringConfig, startLoad } from './load-during.js';
import { meshWindows } from './mesh-windows.js';
import type { RolloutSpec } from './model.js';
import { rolloutNotifier } from './notify.js';
import { RolloutRecorder } from './record.js';
import type { RolloutStatus, RolloutTimings } from './status.js';
import { trafficRouterRegistry } from './traffic/registry.js';

/**
 * One rollout from start to end on a running platform — the in-process local platform
 * (`shakedown demo`, tests) or a `shakedown up` reached through its admin API — with
 * everything around the controller wired: the mesh as traffic router and window source,
 * the fleet, built-in load, notifications, the run recorded in the results store, and
 * optionally the control endpoint for `rollout promote|abort|status` and `watch`.
 */
export interface RolloutTargets {
  mesh: MeshControl;
  fleet: RolloutFleet;
  /** Base URL of a mesh listener (for built-in load). */
  listenerUrl(name?: string): string;
}

export interface RunRolloutOptions {
  events?: EventSink;
  /** Record the rollout as a run (kind rollout) in this store. */
  store?: ResultsStore;
  storeOptions?: { gitSha?: string | null; gitBranch?: string | null; tags?: Record<string, string> };
  /** The spec's load: section, for `load.scenario`. */
  loadSection?: LoadSection;
  baseDir?: string;
  clock?: Clock;
  random?: Random;
  windowLagMs?: number;
  /** Serve the control API (promote, abort, rollback) on loopback with this token. */
  control?: { token: string; tokenFile: string; port?: number; stateDir?: string };
  /** Gets the controller as soon as it exists (to promote or abort in process). */
  onController?(controller: RolloutController): void;
  /** Where console notifiers and warnings write. */
  out?: { write(s: string): unknown };
  logger?: Logger;
}

/** How fast it went, in seconds, from the run's timings. */
export interface RolloutFigures {
  durationS: number;
  canaryReadyS: number | null;
  /** Promoted: start → all traffic on the new version. */
  promotedS: number | null;
  /** Aborted: from the new version's first traffic (when a regression starts to show) to the abort decision. */
  detectS: number | null;
  /** Aborted: abort decision → weights back on stable. */
  rollbackS: number | null;
  /** Aborted: first traffic → weights back on stable (regression onset to full rollback). */
  onsetToRollbackS: number | null;
  /** Aborted by analysis: end of the failing measurement's period → weights back. */
  windowCloseToRollbackS: number | null;
}

export interface RolloutRun extends RolloutResult {
  runId: string | null;
  figures: RolloutFigures;
  load: LoadSummary | null;
  events: RunEvent[];
}

const s = (a: number | null, b: number | null) =>
  a === null || b === null ? null : Math.round(b - a) / 1000;

export function rolloutFigures(t: RolloutTimings): RolloutFigures {
  return {
    durationS: s(t.startedMs, t.finishedMs ?? t.startedMs) ?? 0,
    canaryReadyS: s(t.startedMs, t.canaryReadyMs),
    promotedS: s(t.startedMs, t.promotedMs),
    detectS: s(t.firstTrafficMs, t.abortedMs),
    rollbackS: s(t.abortedMs, t.rolledBackMs),
    onsetToRollbackS: s(t.firstTrafficMs, t.rolledBackMs),
    windowCloseToRollbackS: s(t.failedPeriodEndMs, t.rolledBackMs),
  };
}

function targetsOf(p: LocalPlatform | RolloutTargets): RolloutTargets {
  if ('fleet' in p && p.fleet && 'startVersion' in p.fleet && 'list' in p.fleet) {
    const platform = p as LocalPlatform;
    if (!platform.mesh || !platform.fleet)
      throw new Error('a rollout needs a platform with a mesh: section and services: to roll out');
    return {
      mesh: platform.mesh,
      fleet: fleetPort(platform.fleet),
      listenerUrl: (n) => platform.listenerUrl(n),
    };
  }
  return p as RolloutTargets;
}

/** Runs a rollout to its end (promoted, old version scaled down; or aborted, new version stopped). */
export async function runRollout(
  platform: LocalPlatform | RolloutTargets,
  spec: RolloutSpec,
  opts: RunRolloutOptions = {},
): Promise<RolloutRun> {
  const targets = targetsOf(platform);
  const windows = meshWindows(targets.mesh);
  const kept: RunEvent[] = [];
  const recorder = opts.store
    ? await RolloutRecorder.start(opts.store, spec, {
        ...opts.storeOptions,
        windows,
        onError: (e) => opts.out?.write(`warning: results store: ${(e as Error).message}\n`),
      })
    : undefined;
  const events: EventSink = {
    emit: (e) => {
      kept.push(e);
      recorder?.emit(e);
      opts.events?.emit(e);
    },
  };
  const notify = rolloutNotifier(spec.notifiers, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.out ? { out: opts.out } : {}),
  });
  const controller = new RolloutController(spec, {
    router: trafficRouterRegistry().get('mesh')({ mesh: targets.mesh }),
    fleet: targets.fleet,
    windows,
    events,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.baseDir ? { baseDir: opts.baseDir } : {}),
    ...(opts.windowLagMs !== undefined ? { windowLagMs: opts.windowLagMs } : {}),
    ...(notify ? { notify } : {}),
    ...(recorder ? { runId: recorder.runId } : {}),
  });
  opts.onController?.(controller);
  let server: RolloutControlServer | undefined;
  if (opts.control) {
    server = new RolloutControlServer(
      new Map([[spec.service, controller]]),
      { token: opts.control.token, file: opts.control.tokenFile },
      opts.control.port ?? 0,
      opts.logger,
    );
    await server.listen();
    if (opts.control.stateDir) server.announce(opts.control.stateDir, spec.service, recorder?.runId ?? null);
  }
  const load = spec.load
    ? startLoad(
        loadDuringConfig(spec.load, {
          listenerUrl: (n) => targets.listenerUrl(n),
          ...(opts.loadSection ? { loadSection: opts.loadSection } : {}),
          baseDir: opts.baseDir ?? process.cwd(),
        }),
      )
    : undefined;
  let result: RolloutResult;
  let loadSummary: LoadSummary | null = null;
  try {
    result = await controller.run();
  } finally {
    if (load) {
      loadSummary = await load.stop();
      events.emit({
        t: Date.now(),
        kind: 'rollout.load.stopped',
        source: 'rollout',
        subject: spec.service,
        data: { requests: loadSummary.requests, errors: loadSummary.errors, rps: loadSummary.rps },
      });
    }
    await server?.close();
  }
  const status: RolloutStatus = { ...result.status, runId: recorder?.runId ?? null };
  await recorder?.finish(status);
  return {
    ok: result.ok,
    status,
    runId: recorder?.runId ?? null,
    figures: rolloutFigures(status.timings),
    load: loadSummary,
    events: kept,
  };
}
