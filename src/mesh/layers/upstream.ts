import { classifyError } from '../../load/http-request.js';
import type { Cluster } from '../cluster.js';
import type { MeshContext } from '../context.js';
import type { Endpoint } from '../endpoint.js';
import { MeshError, meshErrors } from '../errors.js';
import { type AttemptVerdict, countVerdict, eject, ejectionAllowed } from '../outlier.js';
import type { ProxyDispatch, ProxyHandler, ProxyRequest } from './types.js';

/**
 * The innermost layer: picks an endpoint of the request's cluster (avoiding the previous
 * attempt's), sends the attempt on that endpoint's connection pool, and keeps the counters the
 * other layers decide on (requests in flight and pending per cluster, in flight per
 * endpoint) and the outlier-detection verdicts.
 */
export function upstreamDispatch(ctx: MeshContext): ProxyDispatch {
  return (req, handler) => {
    if (req.cancelled) {
      handler.onError(req.cancelled);
      return;
    }
    const c = req.cluster;
    const now = ctx.clock.monotonicMs();
    const ep = c.pick(now, req.lastEndpoint);
    if (ep === undefined) {
      handler.onError(meshErrors.noEndpoint());
      return;
    }
    req.lastEndpoint = ep;
    req.attemptStartMs = now;
    ep.inFlight++;
    ep.attempts++;
    c.attemptsInFlight++;
    c.pending++;
    ep.pool.dispatch(req, new Attempt(handler, req, ep, ctx, req.retry.perTryTimeoutMs));
  };
}

/**
 * One attempt on one endpoint; its handler. The per-try timeout is the attempt's own
 * timer (until the response head), not a pool's headers timeout, so it also covers the
 * wait for a connection and answers with the mesh's error.
 */
class Attempt implements ProxyHandler {
  private connected = false;
  private ended = false;
  private gotHeaders = false;
  abort: ((err?: Error) => void) | undefined;
  timedOut = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: ProxyHandler,
    private readonly req: ProxyRequest,
    private readonly ep: Endpoint,
    private readonly ctx: MeshContext,
    perTryTimeoutMs: number,
  ) {
    if (perTryTimeoutMs > 0) this.timer = setTimeout(onPerTryTimeout, perTryTimeoutMs, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (!this.connected) {
      this.connected = true;
      this.req.cluster.pending--;
    }
    this.abort = abort;
    this.req.abortAttempt = abort;
    if (this.req.cancelled) {
      abort(this.req.cancelled);
      return;
    }
    if (this.timedOut) {
      abort(meshErrors.perTryTimeout());
      return;
    }
    this.handler.onConnect(abort);
  }

  onHeaders(status: number, raw: string[], resume: () => void, text: string): boolean {
    if (status >= 200) {
      this.gotHeaders = true;
      if (this.timer) clearTimeout(this.timer);
      verdict(this.ctx, this.req.cluster, this.ep, status >= 500 ? '5xx' : 'success');
    }
    return this.handler.onHeaders(status, raw, resume, text);
  }

  /** The per-try timer fired. */
  expire(): void {
    if (this.gotHeaders || this.ended) return;
    this.timedOut = true;
    this.abort?.(meshErrors.perTryTimeout());
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk);
  }

  onComplete(trailers: string[] | null): void {
    this.end();
    this.handler.onComplete(trailers);
  }

  onError(err: Error): void {
    this.end();
    let e: MeshError;
    if (err instanceof MeshError) {
      e = err;
      if (e.code === 'E_MESH_PER_TRY_TIMEOUT') {
        this.ep.connectErrors++;
        verdict(this.ctx, this.req.cluster, this.ep, 'connect-error');
      }
    } else {
      const cls = classifyError(err);
      const detail = (err as { code?: string }).code ?? err.message;
      e =
        cls === 'connect'
          ? meshErrors.connect(detail)
          : cls === 'reset'
            ? meshErrors.reset(detail)
            : cls === 'timeout'
              ? meshErrors.perTryTimeout()
              : meshErrors.upstream(detail);
      if (cls !== 'other') {
        this.ep.connectErrors++;
        verdict(this.ctx, this.req.cluster, this.ep, 'connect-error');
      }
    }
    this.handler.onError(e);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.req.cluster;
    if (!this.connected) {
      this.connected = true;
      c.pending--;
    }
    c.attemptsInFlight--;
    this.req.abortAttempt = undefined;
    this.ep.attemptEnded();
  }
}

function onPerTryTimeout(a: Attempt): void {
  a.expire();
}

/** Counts an attempt's verdict; ejects the endpoint when it crosses a threshold. */
function verdict(ctx: MeshContext, c: Cluster, ep: Endpoint, v: AttemptVerdict): void {
  const config = c.owner.config.outlier;
  const now = ctx.clock.monotonicMs();
  if (!countVerdict(ep.outlier, v, config, now)) return;
  if (!ejectionAllowed(c.ejectedCount(now), c.endpoints.length, config.maxEjectionPercent)) return;
  const durationMs = eject(ep.outlier, config, now);
  ep.ejections++;
  const subject = `${c.service}/${c.version}/${ep.id}`;
  ctx.emit('endpoint.ejected', subject, { reason: v, durationMs, times: ep.outlier.timesEjected });
  const t = setTimeout(() => {
    if (!ep.draining) ctx.emit('endpoint.restored', subject, {});
  }, durationMs);
  t.unref();
}
