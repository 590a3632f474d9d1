import { type Clock, systemClock } from '../core/clock.js';
import { ShakedownError } from '../core/errors.js';
import type { EventSink } from '../core/event.js';
import { ExitCode } from '../core/exit-codes.js';
import { createRandom, type Random } from '../core/random.js';
import type { Registry } from '../core/registry.js';
import type { Window } from '../core/window.js';
import type { AnalysisResult } from './analysis/model.js';
import type { ProviderPlugin } from './analysis/providers/provider.js';
import { runAnalysis } from './analysis/runner.js';
import type { RolloutFleet } from './fleet-port.js';
import type { AnalysisSpec, HeaderRoute, RolloutSpec, Step } from './model.js';
import { planSteps } from './plan.js';
import { type AnalysisSummary, describeStep, type RolloutStatus, summarize } from './status.js';
import { canMirror, canRouteHeaders, type TrafficRouter } from './traffic/router.js';

/**
 * The rollout controller: starts the new version's replicas through the fleet (weight 0
 * until every one is ready and in the mesh), runs the strategy's steps — weights, pauses,
 * analyses, header routes, mirrors — then switches all traffic and, after the scale-down
 * delay, stops the old version. It reads only analysis results, never metrics. On a failed
 * analysis, a passed progress deadline, `abort()` or `rollback()` (a `watch` alert, a
 * `compare` regression hook) the weights go back to the stable version at once — it was
 * kept fully scaled — and the new version is stopped after the abort delay. Every step,
 * measurement and decision is an Event (source `rollout`).
 */
export interface RolloutDeps {
  router: TrafficRouter;
  fleet: RolloutFleet;
  /** The mesh's windows that started in [sinceMs, untilMs), decoded. */
  windows(sinceMs: number, untilMs: number): Promise<Window[]>;
  events?: EventSink;
  clock?: Clock;
  random?: Random;
  /** Relative paths of command checks resolve here. */
  baseDir?: string;
  /** How long after a second ends its windows are readable (default 1500 ms). */
  windowLagMs?: number;
  providers?: Registry<ProviderPlugin>;
  /** The results-store run this rollout is recorded as, shown in its status. */
  runId?: string;
  /** Called on abort and promotion (notifications); errors are events, never fatal. */
  notify?(kind: 'aborted' | 'promoted', status: RolloutStatus): Promise<void>;
}

export interface RolloutResult {
  status: RolloutStatus;
  /** promoted: the new version serves; aborted: the stable one does. */
  ok: boolean;
}

class Aborted extends Error {}

/** A rollout paused this long without a decision aborts: nothing waits forever. */
export const maxPauseMs = 24 * 3_600_000;

export class RolloutController {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly st: RolloutStatus;
  private readonly abortCtl = new AbortController();
  private skip = new AbortController();
  private full = false;
  private resume: (() => void) | undefined;
  private started = false;

  constructor(
    private readonly spec: RolloutSpec,
    private readonly deps: RolloutDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? createRandom();
    this.st = {
      service: spec.service,
      version: spec.version,
      stableVersion: spec.stableVersion ?? '',
      strategy: spec.strategy.type,
      phase: 'pending',
      step: -1,
      steps: planSteps(spec),
      weight: 0,
      headerRoute: null,
      mirror: 0,
      message: '',
      abortReason: null,
      abortedBy: null,
      analyses: [],
      timings: {
        startedMs: this.clock.now(),
        canaryReadyMs: null,
        firstTrafficMs: null,
        promotedMs: null,
        abortedMs: null,
        failedPeriodEndMs: null,
        rolledBackMs: null,
        scaledDownMs: null,
        finishedMs: null,
      },
      runId: deps.runId ?? null,
    };
  }

  /** A copy of the current state. */
  status(): RolloutStatus {
    return structuredClone(this.st);
  }

  /** Continues a paused rollout (ends a timed pause early); `full` skips every remaining step. */
  promote(opts: { full?: boolean } = {}): void {
    if (this.st.phase === 'promoted' || this.st.phase === 'aborted')
      throw conflict(`the rollout of ${this.st.service} is already ${this.st.phase}`);
    if (opts.full) {
      this.full = true;
      this.skip.abort();
    } else if (this.st.phase !== 'paused' && this.currentStep()?.kind !== 'pause') {
      throw conflict(
        `the rollout of ${this.st.service} is not paused (step ${this.st.step + 1}: ${this.describeCurrent()})`,
        'wait for a pause, or promote --full to skip every remaining step',
      );
    }
    this.skip.abort();
    this.resume?.();
    this.emit('rollout.promote-requested', { full: opts.full ?? false });
  }

  /** Aborts: traffic back to the stable version at once. `by`: user, watch, compare… */
  abort(reason: string, by = 'user'): void {
    if (this.st.phase === 'aborted') return;
    if (this.st.timings.scaledDownMs !== null)
      throw conflict(
        `the rollout of ${this.st.service} finished and ${this.st.stableVersion} is stopped`,
        'use `shakedown rollout undo` to go back to the previous version',
      );
    if (this.abortCtl.signal.aborted) return;
    this.st.abortReason = reason;
    this.st.abortedBy = by;
    this.st.timings.abortedMs = this.clock.now();
    this.emit('rollout.abort-requested', { reason, by });
    this.abortCtl.abort();
    this.resume?.();
  }

  /** Runs the rollout to its end: promoted (and the old version scaled down) or aborted. */
  async run(): Promise<RolloutResult> {
    if (this.started) throw new Error('a rollout controller runs once; start a new one to retry');
    this.started = true;
    const { spec } = this;
    let background: Promise<void> | undefined;
    try {
      await this.resolveStable();
      this.st.phase = 'progressing';
      this.emit('rollout.started', {
        version: spec.version,
        stableVersion: this.st.stableVersion,
        strategy: spec.strategy.type,
        steps: this.st.steps.map(describeStep),
      });
      await this.startCanary();
      if (spec.strategy.type === 'canary' && spec.strategy.background)
        background = this.backgroundAnalysis(spec.strategy.background);
      for (let i = 0; i < this.st.steps.length && !this.full; i++) {
        this.checkAborted();
        await this.runStep(i, this.st.steps[i] as Step);
      }
      this.checkAborted();
      this.st.step = this.st.steps.length;
      await this.switchTraffic();
      const post = spec.strategy.type === 'blueGreen' ? spec.strategy.postPromotion : undefined;
      if (post) await this.analyze(post, 'post-promotion', spec.progressDeadlineMs);
      this.checkAborted();
      this.st.phase = 'promoted';
      this.st.timings.promotedMs = this.clock.now();
      this.st.message = `${spec.version} takes all traffic; ${this.st.stableVersion} scaled down after ${spec.scaleDownDelayMs / 1000} s`;
      this.emit('rollout.promoted', { durationMs: this.st.timings.promotedMs - this.st.timings.startedMs });
      await this.notify('promoted');
      // A rollback is still one weight change while the old version runs.
      await this.clock.sleep(spec.scaleDownDelayMs, this.abortCtl.signal);
      this.checkAborted();
      await this.deps.fleet.stopVersion(spec.service, this.st.stableVersion);
      this.st.timings.scaledDownMs = this.clock.now();
      this.emit('rollout.scaled-down', { version: this.st.stableVersion });
    } catch (e) {
      if (!(e instanceof Aborted)) {
        const message = e instanceof Error ? e.message : String(e);
        if (!this.abortCtl.signal.aborted)
          this.abort(message, e instanceof DeadlineExceeded ? 'deadline' : 'error');
      }
      await this.rollBack();
    } finally {
      this.abortCtl.abort();
      await background?.catch(() => {});
    }
    this.st.timings.finishedMs = this.clock.now();
    this.emit('rollout.finished', {
      phase: this.st.phase,
      durationMs: this.st.timings.finishedMs - this.st.timings.startedMs,
      timings: this.st.timings,
    });
    return { status: this.status(), ok: this.st.phase === 'promoted' };
  }

  // ── flow ────────────────────────────────────────────────────────────────────

  private async resolveStable(): Promise<void> {
    const weights = await this.deps.router.weights(this.spec.service);
    if (this.spec.stableVersion) {
      this.st.stableVersion = this.spec.stableVersion;
      return;
    }
    const candidates = Object.entries(weights).filter(([v]) => v !== this.spec.version);
    const best = candidates.sort((a, b) => b[1] - a[1])[0];
    if (!best || best[1] <= 0)
      throw new ShakedownError(
        'E_ROLLOUT_NO_STABLE',
        `no version of ${this.spec.service} other than ${this.spec.version} has traffic (weights ${JSON.stringify(weights)})`,
        {
          exitCode: ExitCode.usage,
          hint: 'set stableVersion in the rollout, or give the stable version weight',
        },
      );
    this.st.stableVersion = best[0];
  }

  private async startCanary(): Promise<void> {
    const { spec } = this;
    const replicas =
      spec.replicas ??
      Math.max(1, await this.deps.fleet.desiredReplicas(spec.service, this.st.stableVersion));
    // No traffic before readiness: weight 0 first; replicas join the mesh only when ready.
    await this.setWeights(0);
    this.emit('rollout.canary.starting', { version: spec.version, replicas });
    const t = this.clock.now();
    await this.withDeadline(spec.progressDeadlineMs, () =>
      this.deps.fleet.startVersion(spec.service, spec.version, replicas, spec.progressDeadlineMs),
    );
    this.st.timings.canaryReadyMs = this.clock.now();
    this.emit('rollout.canary.ready', { version: spec.version, replicas, durationMs: this.clock.now() - t });
  }

  private async runStep(i: number, step: Step): Promise<void> {
    this.st.step = i;
    this.skip = new AbortController();
    const t = this.clock.now();
    this.emit('rollout.step.started', { index: i, step: describeStep(step) });
    switch (step.kind) {
      case 'setWeight':
        await this.setWeights(step.weight);
        break;
      case 'pause':
        await this.pause(step.durationMs);
        break;
      case 'analysis':
        await this.analyze(step.analysis, i, this.spec.progressDeadlineMs);
        break;
      case 'setHeaderRoute':
        await this.setHeaderRoute(step.match);
        break;
      case 'setMirror':
        await this.setMirror(step.fraction);
        break;
    }
    this.emit('rollout.step.completed', {
      index: i,
      step: describeStep(step),
      durationMs: this.clock.now() - t,
    });
  }

  private async pause(durationMs: number | null): Promise<void> {
    if (durationMs !== null) {
      await this.clock.sleep(durationMs, AbortSignal.any([this.abortCtl.signal, this.skip.signal]));
      return;
    }
    await this.waitForPromotion('paused until `shakedown rollout promote`');
  }

  private async waitForPromotion(message: string): Promise<void> {
    this.st.phase = 'paused';
    this.st.message = message;
    this.emit('rollout.paused', { message });
    let timer: NodeJS.Timeout | undefined;
    if (!this.skip.signal.aborted && !this.abortCtl.signal.aborted)
      await new Promise<void>((resolve) => {
        this.resume = resolve;
        timer = setTimeout(
          () => this.abort(`paused for ${maxPauseMs / 3_600_000} h without a decision`, 'deadline'),
          maxPauseMs,
        );
      });
    clearTimeout(timer);
    this.resume = undefined;
    this.checkAborted();
    this.st.phase = 'progressing';
    this.st.message = '';
    this.emit('rollout.resumed', {});
  }

  /**
   * Runs an analysis as a step. Its deadline is the progress deadline beyond its planned
   * duration, so a long analysis is not cut short but a provider that hangs is.
   */
  private async analyze(
    analysis: AnalysisSpec,
    step: AnalysisSummary['step'],
    deadlineMs: number,
  ): Promise<void> {
    const lagMs = this.deps.windowLagMs ?? 1500;
    const plannedMs = Math.max(
      0,
      ...analysis.metrics.map((m) => m.initialDelayMs + m.count * m.intervalMs + lagMs),
    );
    const result = await this.withDeadline(deadlineMs + plannedMs, (deadline) =>
      this.runAnalysisOnce(analysis, step, AbortSignal.any([this.skip.signal, deadline])),
    );
    this.checkAborted();
    if (result.phase === 'failed' || result.phase === 'error') {
      const failing = result.metrics.find((m) => m.phase === result.phase);
      const failed = failing?.measurements.findLast((m) => m.phase === 'failed' || m.phase === 'error');
      this.st.timings.failedPeriodEndMs = failed?.endMs ?? null;
      this.abort(`analysis ${result.name} ${result.phase}: ${result.message}`, 'analysis');
      throw new Aborted();
    }
    if (result.phase === 'inconclusive' && !this.skip.signal.aborted)
      await this.waitForPromotion(`analysis ${result.name} inconclusive: ${result.message}`);
  }

  private async runAnalysisOnce(
    analysis: AnalysisSpec,
    step: AnalysisSummary['step'],
    skip: AbortSignal,
  ): Promise<AnalysisResult> {
    this.emit('analysis.started', {
      step,
      name: analysis.name,
      metrics: analysis.metrics.map((m) => m.name),
    });
    const result = await runAnalysis(
      analysis,
      {
        service: this.spec.service,
        stableVersion: this.st.stableVersion,
        canaryVersion: this.spec.version,
        windows: this.deps.windows,
        clock: this.clock,
        random: this.random,
        baseDir: this.deps.baseDir ?? process.cwd(),
        windowLagMs: this.deps.windowLagMs ?? 1500,
        ...(this.deps.providers ? { providers: this.deps.providers } : {}),
        onMeasurement: (metric, m, phase) =>
          this.emit('analysis.measurement', {
            step,
            analysis: analysis.name,
            metric,
            phase: m.phase,
            metricPhase: phase,
            value: m.value,
            message: m.message,
            startMs: m.startMs,
            endMs: m.endMs,
            ...(m.detail !== undefined ? { detail: m.detail } : {}),
          }),
      },
      AbortSignal.any([this.abortCtl.signal, skip]),
    );
    this.st.analyses.push(summarize(step, result));
    this.emit('analysis.completed', {
      step,
      name: result.name,
      phase: result.phase,
      message: result.message,
    });
    return result;
  }

  private backgroundAnalysis(analysis: AnalysisSpec): Promise<void> {
    return this.runAnalysisOnce(analysis, 'background', new AbortController().signal).then((r) => {
      if ((r.phase === 'failed' || r.phase === 'error') && this.st.phase !== 'promoted') {
        this.abort(`background analysis ${r.name} ${r.phase}: ${r.message}`, 'analysis');
      }
    });
  }

  private async switchTraffic(): Promise<void> {
    const { spec } = this;
    const want =
      spec.replicas ?? (await this.deps.fleet.desiredReplicas(spec.service, this.st.stableVersion));
    const have = await this.deps.fleet.desiredReplicas(spec.service, spec.version);
    if (want > have) {
      this.emit('rollout.canary.scaling', { from: have, to: want });
      await this.withDeadline(spec.progressDeadlineMs, () =>
        this.deps.fleet.scale(spec.service, spec.version, want, spec.progressDeadlineMs),
      );
    }
    this.checkAborted();
    this.emit('rollout.promoting', {});
    await this.setWeights(100);
    if (this.st.headerRoute) await this.setHeaderRoute(null);
    if (this.st.mirror > 0) await this.setMirror(0);
  }

  /** Weights back to stable first (one call), then header route and mirror off, then the delayed stop. */
  private async rollBack(): Promise<void> {
    const { spec } = this;
    this.st.phase = 'aborted';
    this.st.message = this.st.abortReason ?? 'aborted';
    try {
      await this.setWeights(0);
      this.st.timings.rolledBackMs = this.clock.now();
      this.emit('rollout.rolled-back', {
        reason: this.st.abortReason,
        by: this.st.abortedBy,
        sinceAbortMs:
          this.st.timings.rolledBackMs - (this.st.timings.abortedMs ?? this.st.timings.rolledBackMs),
        sinceFailedPeriodEndMs:
          this.st.timings.failedPeriodEndMs === null
            ? null
            : this.st.timings.rolledBackMs - this.st.timings.failedPeriodEndMs,
      });
      if (this.st.headerRoute) await this.setHeaderRoute(null);
      if (this.st.mirror > 0) await this.setMirror(0);
    } catch (e) {
      this.emit('rollout.rollback-failed', { error: e instanceof Error ? e.message : String(e) });
    }
    await this.notify('aborted');
    await this.clock.sleep(spec.abortScaleDownDelayMs);
    try {
      await this.deps.fleet.stopVersion(spec.service, spec.version);
      this.st.timings.scaledDownMs = this.clock.now();
      this.emit('rollout.scaled-down', { version: spec.version });
    } catch (e) {
      this.emit('rollout.scale-down-failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  // ── traffic ─────────────────────────────────────────────────────────────────

  private async setWeights(weight: number): Promise<void> {
    await this.deps.router.setWeights(this.spec.service, {
      [this.st.stableVersion]: 100 - weight,
      [this.spec.version]: weight,
    });
    this.st.weight = weight;
    if (weight > 0 && this.st.timings.firstTrafficMs === null)
      this.st.timings.firstTrafficMs = this.clock.now();
    this.emit('rollout.weights', { stable: 100 - weight, canary: weight, router: this.deps.router.type });
  }

  private async setHeaderRoute(match: HeaderRoute | null): Promise<void> {
    const r = this.deps.router;
    if (!canRouteHeaders(r))
      throw new ShakedownError('E_ROLLOUT_ROUTER', `traffic router ${r.type} cannot route by header`);
    await r.setHeaderRoute(this.spec.service, this.spec.version, match);
    this.st.headerRoute = match;
    this.emit('rollout.header-route', { match });
  }

  private async setMirror(fraction: number): Promise<void> {
    const r = this.deps.router;
    if (!canMirror(r)) throw new ShakedownError('E_ROLLOUT_ROUTER', `traffic router ${r.type} cannot mirror`);
    await r.setMirror(this.spec.service, this.spec.version, fraction);
    this.st.mirror = fraction;
    this.emit('rollout.mirror', { fraction });
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  private checkAborted(): void {
    if (this.abortCtl.signal.aborted) throw new Aborted();
  }

  /** Runs `op`, rejecting with DeadlineExceeded (and aborting the signal it got) after `ms`. */
  private async withDeadline<T>(ms: number, op: (deadline: AbortSignal) => Promise<T>): Promise<T> {
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctl.abort();
        reject(new DeadlineExceeded(ms));
      }, ms);
    });
    try {
      return await Promise.race([op(ctl.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async notify(kind: 'aborted' | 'promoted'): Promise<void> {
    try {
      await this.deps.notify?.(kind, this.status());
    } catch (e) {
      this.emit('rollout.notify-failed', { kind, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private currentStep(): Step | undefined {
    return this.st.steps[this.st.step];
  }

  private describeCurrent(): string {
    const s = this.currentStep();
    return s ? describeStep(s) : this.st.phase;
  }

  private emit(kind: string, data: Record<string, unknown>): void {
    this.deps.events?.emit({
      t: this.clock.now(),
      kind,
      source: 'rollout',
      subject: this.spec.service,
      data,
    });
  }
}

class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`progress deadline exceeded (${ms / 1000} s)`);
  }
}

function conflict(message: string, hint?: string): ShakedownError {
  return new ShakedownError('E_ROLLOUT_STATE', message, {
    exitCode: ExitCode.usage,
    ...(hint ? { hint } : {}),
  });
}
