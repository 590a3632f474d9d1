import { CookieJar } from 'tough-cookie';
import { Client } from 'undici';
import { runChecks } from './checks.js';
import type { CompiledRequest } from './compiled-request.js';
import { FeedCursor } from './feed.js';
import { sendRequest } from './http-request.js';
import type { ZoneConfig } from './model.js';
import type { ScenarioRuntime } from './scenario-runtime.js';
import type { TemplateVars } from './template.js';
import { drawThinkMs } from './think.js';
import { zoneDelayMs, zoneDrops, zoneForVu } from './zones.js';

/**
 * A virtual user: an async task with its own keep-alive connection per origin (an undici
 * Client with pipelining 1), its own cookie jar (created on the first Set-Cookie) and its
 * place in the data feed. An iteration is one request picked from the weighted mix,
 * followed by think time. Memory per VU is a few kilobytes.
 */
export class Vu {
  readonly zone: ZoneConfig;
  private readonly zoneIndex: number;
  private readonly clients = new Map<string, Client>();
  private jar: CookieJar | undefined;
  private readonly feed: FeedCursor | undefined;
  private readonly vars: TemplateVars;
  iteration = 0;
  private sleepTimer: NodeJS.Timeout | undefined;
  private sleepResolve: (() => void) | undefined;
  private abort = new AbortController();

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

  /**
   * Runs one iteration. `intendedMs` is when it was due (open models); latency counts
   * from then, so waiting for a free VU is part of it. Without it, latency counts from now.
   */
  async iterate(intendedMs?: number): Promise<void> {
    const rt = this.rt;
    const now = () => rt.clock.monotonicMs();
    const reqIndex = rt.pickRequest();
    const req = rt.requests[reqIndex] as CompiledRequest;
    const keyId = (rt.keyIds[reqIndex] as number[])[this.zoneIndex] as number;
    this.vars.iteration = this.iteration++;
    if (this.feed) this.vars.row = this.feed.row();

    if (zoneDrops(this.zone, rt.random)) {
      rt.recorder.recordLoss(keyId);
    } else {
      const sentAt = now();
      const startedAt = intendedMs ?? sentAt;
      const delay = zoneDelayMs(this.zone, rt.random);
      if (delay > 0) await this.sleep(delay);

      let origin = req.origin;
      let path = req.target.render(this.vars);
      if (origin === undefined) {
        const u = new URL(path);
        origin = u.origin;
        path = `${u.pathname}${u.search}`;
      }
      const headers: Record<string, string> = {};
      let headerBytes = 0;
      for (const [k, t] of req.headers) {
        const v = t.render(this.vars);
        headers[k] = v;
        headerBytes += k.length + v.length + 4;
      }
      const body = req.body?.render(this.vars);
      if (req.contentType) headers['content-type'] = req.contentType;
      if (this.jar) {
        const cookie = this.jar.getCookieStringSync(origin + path);
        if (cookie) headers.cookie = cookie;
      }
      const res = await sendRequest(this.client(origin), {
        path,
        method: req.method,
        headers,
        body,
        timeoutMs: req.timeoutMs,
        keepBody: req.keepBody,
        keepHeaders: req.keepHeaders || rt.config.cookies,
        signal: this.abort.signal,
      });
      if (res.aborted) return;
      const done = now();
      const serviceTimeMs = done - sentAt;
      if (rt.config.cookies && res.headers) this.storeCookies(res.headers['set-cookie'], origin + path);
      let failure = res.failure;
      if (failure === undefined && !req.expect(res.status))
        failure = res.status >= 500 ? 'status5xx' : res.status >= 400 ? 'status4xx' : 'other';
      let passed = 0;
      let failed = 0;
      if (req.checks.length > 0) {
        [passed, failed] = runChecks(
          req.checks,
          { status: res.status, headers: res.headers, body: res.body, serviceTimeMs },
          rt.checkPasses[reqIndex] as number[],
          rt.checkFails[reqIndex] as number[],
        );
      }
      rt.recorder.record(keyId, {
        latencyUs: (done - startedAt) * 1000,
        serviceTimeUs: serviceTimeMs * 1000,
        bytesIn: res.bytesIn,
        bytesOut: req.method.length + path.length + 11 + headerBytes + (body ? Buffer.byteLength(body) : 0),
        failure,
        checksPassed: passed,
        checksFailed: failed,
      });
    }
    const think = drawThinkMs(rt.config.think, rt.random);
    if (think > 0) await this.sleep(think);
  }

  private storeCookies(setCookie: string | string[] | undefined, url: string): void {
    if (setCookie === undefined) return;
    this.jar ??= new CookieJar();
    for (const c of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      this.jar.setCookieSync(c, url, { ignoreError: true });
    }
  }

  /** Sleeps; {@link wake} ends the sleep early (used when the scenario stops). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepResolve = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.sleepResolve = undefined;
        resolve();
      }, ms);
    });
  }

  wake(): void {
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer);
      this.sleepTimer = undefined;
      const r = this.sleepResolve;
      this.sleepResolve = undefined;
      r?.();
    }
  }

  /** Aborts this VU's request in flight, if any; later requests proceed normally. */
  abortInFlight(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  async close(): Promise<void> {
    this.wake();
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
