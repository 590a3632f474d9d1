import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { type CompiledRequest, compileRequest } from './compiled-request.js';
import { feedColumns } from './feed.js';
import type { ExecutionSegment, ScenarioConfig, ZoneConfig } from './model.js';
import type { Recorder } from './recorder.js';
import { Sleeper } from './sleeper.js';
import { Vu } from './vu.js';
import { defaultZone } from './zones.js';

/**
 * Everything the VUs of one scenario share within one thread: compiled requests, the
 * recorder keys, the zones, the VU counters and the data-feed sequence.
 */
export class ScenarioRuntime {
  readonly requests: CompiledRequest[];
  readonly cumulativeWeights: number[];
  readonly totalWeight: number;
  readonly zones: ZoneConfig[];
  /** keyIds[requestIndex][zoneIndex] */
  readonly keyIds: number[][];
  readonly droppedKeyId: number;
  readonly checkPasses: number[][];
  readonly checkFails: number[][];
  readonly vus: Vu[] = [];
  /** Delays and think times of this scenario's VUs, on one timer. */
  readonly sleeper: Sleeper;
  active = 0;
  private peakActive = 0;
  private iterationSeq = 0;

  constructor(
    readonly config: ScenarioConfig,
    readonly segment: ExecutionSegment,
    allZones: readonly ZoneConfig[],
    readonly recorder: Recorder,
    readonly clock: Clock,
    readonly random: Random,
  ) {
    this.sleeper = new Sleeper(clock);
    const columns = feedColumns(config.data);
    this.requests = config.requests.map((r, i) =>
      compileRequest(r, columns, `scenario "${config.name}" request ${r.name || i + 1}`),
    );
    let acc = 0;
    this.cumulativeWeights = this.requests.map((r) => {
      acc += r.weight;
      return acc;
    });
    this.totalWeight = acc;
    const chosen = config.zones.length
      ? allZones.filter((z) => config.zones.includes(z.name))
      : [...allZones];
    this.zones = chosen.length ? chosen : [defaultZone];
    this.keyIds = this.requests.map((r) =>
      this.zones.map((z) =>
        recorder.addKey(
          this.zones.length === 1 && z === defaultZone
            ? { scenario: config.name, request: r.name }
            : { scenario: config.name, request: r.name, zone: z.name },
        ),
      ),
    );
    this.droppedKeyId = recorder.addKey({ scenario: config.name });
    this.checkPasses = this.requests.map((r) => new Array(r.checks.length).fill(0));
    this.checkFails = this.requests.map((r) => new Array(r.checks.length).fill(0));
  }

  /** Aborts every in-flight request of this scenario. */
  abortInFlight(): void {
    for (const vu of this.vus) vu.abortInFlight();
  }

  /** Creates a VU with a global (cross-worker) 0-based index. */
  createVu(globalIndex: number): Vu {
    const vu = new Vu(this, globalIndex);
    this.vus.push(vu);
    return vu;
  }

  pickRequest(): number {
    if (this.requests.length === 1) return 0;
    const x = this.random.next() * this.totalWeight;
    const w = this.cumulativeWeights;
    for (let i = 0; i < w.length; i++) if (x < (w[i] as number)) return i;
    return w.length - 1;
  }

  nextIterationSeq(): number {
    return this.iterationSeq++ * this.segment.count + this.segment.index;
  }

  vuStarted(): void {
    this.active++;
    if (this.active > this.peakActive) this.peakActive = this.active;
  }

  vuFinished(): void {
    this.active--;
  }

  /** Peak active VUs since the last call; resets to the current count. */
  takePeakActive(): number {
    const p = this.peakActive;
    this.peakActive = this.active;
    return p;
  }

  /** Wakes every VU that is thinking, so a stop is not delayed by think time. */
  wakeAll(): void {
    this.sleeper.wakeAll();
  }

  /**
   * Closes every VU's connections, a batch at a time: destroying 10,000 clients at once
   * makes 10,000 errors with stack traces at the same moment, which alone would double the
   * peak memory of a run.
   */
  async closeAll(batchSize = 256): Promise<void> {
    for (let i = 0; i < this.vus.length; i += batchSize) {
      await Promise.all(this.vus.slice(i, i + batchSize).map((vu) => vu.close()));
    }
  }
}
