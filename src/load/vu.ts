import { CookieJar } from 'tough-cookie';
import { Client } from 'undici';
import { runChecks } from './checks.js';
import type { CompiledRequest } from './compiled-request.js';
import { FeedCursor } from './feed.js';
import { HttpExchange, parseRawHeaders, rawSetCookies } from './http-request.js';
import type { ZoneConfig } from './model.js';
import type { ScenarioRuntime } from './scenario-runtime.js';
import type { Sleepy } from './sleeper.js';
import type { TemplateVars } from './template.js';
import { drawThinkMs } from './think.js';
import { zoneDelayMs, zoneDrops, zoneForVu } from './zones.js';

type Phase = 'idle' | 'delay' | 'send' | 'think';

/**
 * A virtual user: a small state machine with its own keep-alive connection per origin (an
 * undici Client with pipelining 1), its own cookie jar (created on the first Set-Cookie)
 * and its place in the data feed. An iteration is one request picked from the weighted mix,
 * followed by think time. Iterations are driven by callbacks — the HTTP exchange and the
 * scenario's shared {@link Sleeper} — not by a promise and a timer per request, so an
 * iteration leaves almost nothing behind for the garbage collector and 10,000 VUs stay in
 * a few hundred megabytes.
 */
export class Vu implements Sleepy {
  readonly zone: ZoneConfig;
  private readonly zoneIndex: number;
  private readonly clients = new Map<string, Client>();
  private jar: CookieJar | undefined;
  private readonly feed: FeedCursor | undefined;
  private readonly vars: TemplateVars;
  private readonly http: HttpExchange;
  iteration = 0;

  private phase: Phase = 'idle';
  private shouldContinue: (() => boolean) | undefined;
  private loopResolve: (() => void) | undefined;
  private loopReject: ((e: unknown) => void) | undefined;
  private onceDone: (() => void) | undefined;
  // The iteration in progress.
  private req!: CompiledRequest;
  private reqIndex = 0;
  private keyId = 0;
  private startedAt = 0;
  private sentAt = 0;
  private origin = '';
  private path = '';
  private body: string | undefined;
  private headers: Record<string, string> = {};
  private headerBytes = 0;

  constructor(
    private readonly rt: ScenarioRuntime,
    readonly globalIndex: number,
  ) {
    this.zone = zoneForVu(globalIndex, rt.zones);
    this.zoneIndex = rt.zones.indexOf(this.zone);
    const data = rt.config.data;
    this.feed = data ? new FeedCursor(data, globalIndex, rt.random, () => rt.nextIterationSeq()) : undefined;
    this.vars = {
      row: undefined,
      vu: globalIndex + 1,
      iteration: 0,
      scenario: rt.config.name,
      zone: this.zone.name,
      random: rt.random,
    };
    this.http = new HttpExchange(() => this.onResponse());
  }

  /** Runs iterations while `shouldContinue()` says so (closed models). */
  loop(shouldContinue: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.shouldContinue = shouldContinue;
      this.loopResolve = resolve;
      this.loopReject = reject;
      this.next();
    });
  }

  /**
   * Runs one iteration due at `intendedMs` (open models) and calls `done` when it is over.
   * Latency counts from `intendedMs`, so waiting for a free VU is part of it.
   */
  runOnce(intendedMs: number, done: () => void): void {
    this.onceDone = done;
    this.guard(() => this.begin(intendedMs));
  }

  private next(): void {
    if (this.shouldContinue?.()) {
      this.guard(() => this.begin(undefined));
      return;
    }
    const resolve = this.loopResolve;
    this.shouldContinue = undefined;
    this.loopResolve = undefined;
    this.loopReject = undefined;
    resolve?.();
  }

  private iterationEnded(): void {
    this.phase = 'idle';
    const done = this.onceDone;
    if (done) {
      this.onceDone = undefined;
      done();
    } else {
      this.next();
    }
  }

  /** An exception here is a bug or a bad template value: it ends the VU's loop with it. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      this.phase = 'idle';
      const reject = this.loopReject;
      const done = this.onceDone;
      this.shouldContinue = undefined;
      this.loopResolve = undefined;
      this.loopReject = undefined;
      this.onceDone = undefined;
      if (reject) reject(e);
      else {
        done?.();
        throw e;
      }
    }
  }

  private begin(intendedMs: number | undefined): void {
    const rt = this.rt;
    const reqIndex = rt.pickRequest();
    this.reqIndex = reqIndex;
    this.req = rt.requests[reqIndex] as CompiledRequest;
    this.keyId = (rt.keyIds[reqIndex] as number[])[this.zoneIndex] as number;
    this.vars.iteration = this.iteration++;
    if (this.feed) this.vars.row = this.feed.row();
    if (zoneDrops(this.zone, rt.random)) {
      rt.recorder.recordLoss(this.keyId);
      this.think();
      return;
    }
    this.sentAt = rt.clock.monotonicMs();
    this.startedAt = intendedMs ?? this.sentAt;
    const delay = zoneDelayMs(this.zone, rt.random);
    if (delay > 0) {
      this.phase = 'delay';
      rt.sleeper.schedule(this, delay);
      return;
    }
    this.send();
  }

  private send(): void {
    const req = this.req;
    let origin = req.origin;
    let path = req.target.render(this.vars);
    if (origin === undefined) {
      let u: URL;
      try {
        u = new URL(path);
      } catch {
        // A data row made the URL invalid: a failed request of this iteration, not a crash.
        const now = this.rt.clock.monotonicMs();
        this.rt.recorder.record(this.keyId, now, {
          latencyUs: (now - this.startedAt) * 1000,
          serviceTimeUs: 0,
          bytesIn: 0,
          bytesOut: 0,
          failure: 'other',
          checksPassed: 0,
          checksFailed: 0,
        });
        this.think();
        return;
      }
      origin = u.origin;
      path = `${u.pathname}${u.search}`;
    }
    this.origin = origin;
    this.path = path;
    this.body = req.body?.render(this.vars);
    const cookie = this.jar?.getCookieStringSync(origin + path);
    if (req.constantHeaders && !cookie) {
      this.headers = req.constantHeaders;
      this.headerBytes = req.constantHeaderBytes;
    } else {
      const headers: Record<string, string> = {};
      let headerBytes = 0;
      for (const [k, t] of req.headers) {
        const v = t.render(this.vars);
        headers[k] = v;
        headerBytes += k.length + v.length + 4;
      }
      if (req.contentType) headers['content-type'] = req.contentType;
      if (cookie) {
        headers.cookie = cookie;
        headerBytes += cookie.length + 10;
      }
      this.headers = headers;
      this.headerBytes = headerBytes;
    }
    this.phase = 'send';
    this.http.send(this.client(origin), {
      path,
      method: req.method,
      headers: this.headers,
      body: this.body,
      timeoutMs: req.timeoutMs,
      keepBody: req.keepBody,
    });
  }

  private onResponse(): void {
    this.guard(() => {
      const rt = this.rt;
      const http = this.http;
      if (http.aborted) {
        http.release();
        this.iterationEnded();
        return;
      }
      const req = this.req;
      const done = rt.clock.monotonicMs();
      const serviceTimeMs = done - this.sentAt;
      if (rt.config.cookies) this.storeCookies(rawSetCookies(http.rawHeaders), this.origin + this.path);
      let failure = http.failure;
      const status = http.status;
      if (failure === undefined && !req.expect(status)) {
        failure = status >= 500 ? 'status5xx' : status >= 400 ? 'status4xx' : 'other';
      }
      let passed = 0;
      let failed = 0;
      if (req.checks.length > 0) {
        [passed, failed] = runChecks(
          req.checks,
          {
            status,
            headers: req.keepHeaders ? parseRawHeaders(http.rawHeaders) : undefined,
            body: http.body(),
            serviceTimeMs,
          },
          rt.checkPasses[this.reqIndex] as number[],
          rt.checkFails[this.reqIndex] as number[],
        );
      }
      http.release();
      rt.recorder.record(this.keyId, done, {
        latencyUs: (done - this.startedAt) * 1000,
        serviceTimeUs: serviceTimeMs * 1000,
        bytesIn: http.bytesIn,
        bytesOut:
          req.method.length +
          this.path.length +
          11 +
          this.headerBytes +
          (this.body ? Buffer.byteLength(this.body) : 0),
        failure,
        checksPassed: passed,
        checksFailed: failed,
      });
      this.body = undefined;
      this.think();
    });
  }

  private think(): void {
    const ms = drawThinkMs(this.rt.config.think, this.rt.random);
    if (ms > 0) {
      this.phase = 'think';
      this.rt.sleeper.schedule(this, ms);
    } else {
      this.iterationEnded();
    }
  }

  /** Called by the scenario's sleeper when a delay or a think time is over. */
  onWake(): void {
    if (this.phase === 'delay') this.guard(() => this.send());
    else if (this.phase === 'think') this.iterationEnded();
  }

  private client(origin: string): Client {
    let c = this.clients.get(origin);
    if (!c) {
      c = new Client(origin, {
        pipelining: 1,
        connect: { timeout: 10_000 },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
      });
      this.clients.set(origin, c);
    }
    return c;
  }

  private storeCookies(setCookies: string[] | undefined, url: string): void {
    if (setCookies === undefined) return;
    this.jar ??= new CookieJar();
    for (const c of setCookies) this.jar.setCookieSync(c, url, { ignoreError: true });
  }

  /** Aborts this VU's request in flight, if any; later requests proceed normally. */
  abortInFlight(): void {
    if (this.phase === 'send') this.http.abort();
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
