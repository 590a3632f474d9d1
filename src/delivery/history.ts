import { usageError } from '../core/errors.js';
import type { ResultsStore, RunRecord } from '../store/types.js';
import type { RolloutSpec } from './model.js';
import type { RolloutStatus } from './status.js';

/**
 * Rollouts as the results store remembers them (runs of kind `rollout`, tagged with the
 * service): the last one (for `status` when no controller runs), the last failed one (for
 * `retry`: the same spec again) and the last promoted one (for `undo`: back to the version
 * it replaced, switched at once).
 */
export interface StoredRollout {
  run: RunRecord;
  spec: RolloutSpec;
  /** The final status (null while the run is recorded as running). */
  status: RolloutStatus | null;
  /** The stable version it started from (from its `rollout.started` event when unfinished). */
  stableVersion: string | null;
}

async function toStored(store: ResultsStore, run: RunRecord): Promise<StoredRollout | undefined> {
  const spec = (run.meta as { rollout?: RolloutSpec }).rollout;
  if (!spec) return undefined;
  // A run recovered after its controller died has totals from its windows as summary.
  const summary = run.summary as Partial<RolloutStatus> | null;
  const status =
    summary && Array.isArray(summary.steps) && typeof summary.phase === 'string'
      ? (summary as RolloutStatus)
      : null;
  let stableVersion = status?.stableVersion ?? null;
  if (!stableVersion) {
    const started = (await store.events(run.id)).find((e) => e.kind === 'rollout.started');
    stableVersion = (started?.data.stableVersion as string | undefined) ?? null;
  }
  return { run, spec, status, stableVersion };
}

/** The newest rollout of `service` whose run status is one of `statuses` (any when absent). */
export async function lastRollout(
  store: ResultsStore,
  service: string,
  statuses?: readonly RunRecord['status'][],
): Promise<StoredRollout | undefined> {
  const runs = await store.listRuns({ kind: 'rollout', tags: { service }, order: 'desc', limit: 50 });
  for (const run of runs) {
    if (statuses && !statuses.includes(run.status)) continue;
    const s = await toStored(store, run);
    if (s) return s;
  }
  return undefined;
}

/** The rollout that undoes a promoted one: back to its stable version, switched at once. */
export function undoSpec(
  promoted: StoredRollout,
  opts: { to?: string; scaleDownDelayMs?: number } = {},
): RolloutSpec {
  const back = opts.to ?? promoted.stableVersion;
  if (!back)
    throw usageError(
      'E_ROLLOUT_UNDO',
      `the recorded rollout ${promoted.run.id} does not say which version it replaced`,
      'give --to VERSION',
    );
  return {
    service: promoted.spec.service,
    version: back,
    stableVersion: promoted.spec.version,
    ...(promoted.spec.replicas ? { replicas: promoted.spec.replicas } : {}),
    ...(promoted.spec.routes ? { routes: promoted.spec.routes } : {}),
    strategy: {
      type: 'blueGreen',
      previewRoute: null,
      previewMirror: 0,
      autoPromotion: true,
      autoPromotionDelayMs: 0,
    },
    progressDeadlineMs: promoted.spec.progressDeadlineMs,
    scaleDownDelayMs: opts.scaleDownDelayMs ?? promoted.spec.scaleDownDelayMs,
    abortScaleDownDelayMs: promoted.spec.abortScaleDownDelayMs,
    notifiers: promoted.spec.notifiers,
  };
}
