import type { Clock } from '../../core/clock.js';
import type { Phase, ProbeRound } from '../measure/types.js';
import type { Probe } from '../probes/types.js';

/**
 * Checks the hypothesis every interval: one round runs every probe that counts in the
 * current phase (in parallel, each bounded by the interval or its own timeout); rounds
 * never overlap. Each round goes to `onRound`, which also decides aborts.
 */
export interface NamedProbe {
  name: string;
  phases: Phase[];
  probe: Probe;
}

export class ProbeLoop {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private current: Promise<ProbeRound> | undefined;
  private phaseNow: Phase = 'before';

  constructor(
    private readonly probes: readonly NamedProbe[],
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly onRound: (round: ProbeRound) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  /**
   * Moves to the next phase once the round in flight (of the phase ending) has finished,
   * so that round counts for the phase it started in and nothing of the next phase (a fault
   * being injected) can reach it.
   */
  async enter(phase: Phase): Promise<void> {
    await this.current?.catch(() => undefined);
    this.phaseNow = phase;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      const started = this.clock.monotonicMs();
      this.current = this.round();
      await this.current;
      this.current = undefined;
      const wait = this.intervalMs - (this.clock.monotonicMs() - started);
      await this.clock.sleep(Math.max(0, wait), this.stop.signal);
    }
  }

  private async round(): Promise<ProbeRound> {
    const phase = this.phaseNow;
    const t = this.clock.now();
    const active = this.probes.filter((p) => p.phases.includes(phase));
    const results = await Promise.all(
      active.map(async (p) => {
        try {
          return { probe: p.name, ...(await p.probe.check(this.stop.signal)) };
        } catch (e) {
          return { probe: p.name, ok: false, value: null, detail: `probe error: ${(e as Error).message}` };
        }
      }),
    );
    const round: ProbeRound = { t, phase, results };
    this.onRound(round);
    return round;
  }
}
