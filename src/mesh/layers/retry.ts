import type { Random } from '../../core/random.js';
import { MeshError } from '../errors.js';
import { backoffMs, decideRetry, isRetriable } from '../retry-policy.js';
import {
  DecoratorHandler,
  type ProxyDispatch,
  type ProxyHandler,
  type ProxyLayer,
  type ProxyRequest,
} from './types.js';

/**
 * Retries (Envoy's retry policy): a failed attempt whose failure the route retries is sent
 * again, to another endpoint when there is one, after a jittered exponential backoff,
 * within the route's attempts and the cluster's retry budget. A retriable response
 * (e.g. a 503) is read to its end and dropped, keeping the connection, before the retry;
 * once a response has been passed downstream nothing is retried.
 */
export function retryLayer(random: Random): ProxyLayer {
  return (next) => (req, handler) => {
    if (req.retry.attempts <= 0) {
      next(req, handler);
      return;
    }
    next(req, new RetryHandler(handler, req, next, random));
  };
}

class RetryHandler extends DecoratorHandler {
  /** The current attempt's response is being dropped because it will be retried. */
  private discarding = false;
  private committed = false;
  /** The current attempt is a retry holding a slot of the retry budget. */
  private holdsBudget = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    handler: ProxyHandler,
    private readonly req: ProxyRequest,
    private readonly next: ProxyDispatch,
    private readonly random: Random,
  ) {
    super(handler);
  }

  override onHeaders(status: number, raw: string[], resume: () => void, text: string): boolean {
    if (status < 200) return true;
    if (isRetriable(this.req.retry, status, undefined) && this.verdict(status, undefined) === 'retry') {
      this.discarding = true;
      return true;
    }
    this.committed = true;
    this.releaseBudget();
    return this.handler.onHeaders(status, raw, resume, text);
  }

  override onData(chunk: Buffer): boolean {
    return this.discarding ? true : this.handler.onData(chunk);
  }

  override onComplete(trailers: string[] | null): void {
    if (this.discarding) {
      this.discarding = false;
      this.schedule();
      return;
    }
    this.handler.onComplete(trailers);
  }

  override onError(err: Error): void {
    if (this.discarding) {
      this.discarding = false;
      if (!this.req.cancelled) {
        this.schedule();
        return;
      }
    }
    this.releaseBudget();
    const failure = err instanceof MeshError ? err.failure : 'other';
    if (!this.committed && !this.req.cancelled && this.verdict(0, failure) === 'retry') {
      this.schedule();
      return;
    }
    this.handler.onError(err);
  }

  private verdict(status: number, failure: MeshError['failure'] | undefined) {
    const req = this.req;
    const c = req.cluster;
    const body = req.body;
    return decideRetry(req.retry, {
      retriesDone: req.retriesDone,
      status,
      failure,
      method: req.method,
      bodyReplayable: body === null || Buffer.isBuffer(body) || !body.readableDidRead,
      activeRequests: c.activeRequests,
      // The slot this attempt holds is about to be given back.
      activeRetries: c.activeRetries - (this.holdsBudget ? 1 : 0),
      cancelled: req.cancelled !== undefined,
    });
  }

  private releaseBudget(): void {
    if (this.holdsBudget) {
      this.holdsBudget = false;
      this.req.cluster.activeRetries--;
    }
  }

  private schedule(): void {
    const req = this.req;
    if (!this.holdsBudget) {
      this.holdsBudget = true;
      req.cluster.activeRetries++;
    }
    const delay = backoffMs(req.retry, req.retriesDone, this.random);
    req.retriesDone++;
    req.noteRetry();
    // Always through a timer: never re-enter undici from inside its callbacks.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      req.pendingCancel = undefined;
      if (req.cancelled) {
        this.onError(req.cancelled);
        return;
      }
      this.next(req, this);
    }, delay);
    req.pendingCancel = (err) => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.onError(err);
    };
  }
}
