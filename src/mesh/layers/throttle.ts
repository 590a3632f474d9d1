import { DecoratorHandler, type ProxyHandler, type ProxyRequest } from './types.js';

/**
 * Limits a response body to `bytesPerSec` (the bandwidth fault, Toxiproxy's semantics):
 * chunks are cut into slices of a tenth of a second's worth and each slice is released
 * when the budget allows, pausing the upstream meanwhile, so the client sees a steady slow
 * stream rather than bursts.
 */
export class ThrottleHandler extends DecoratorHandler {
  private readonly sliceBytes: number;
  private freeAtMs = 0;
  private queue: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private resume: (() => void) | undefined;
  private paused = false;
  private completion: { trailers: string[] | null } | undefined;
  private failed = false;

  constructor(
    handler: ProxyHandler,
    private readonly bytesPerSec: number,
    private readonly req: ProxyRequest,
  ) {
    super(handler);
    this.sliceBytes = Math.max(1, Math.floor(bytesPerSec / 10));
  }

  override onHeaders(status: number, raw: string[], resume: () => void, text: string): boolean {
    this.resume = resume;
    return this.handler.onHeaders(status, raw, resume, text);
  }

  override onData(chunk: Buffer): boolean {
    for (let off = 0; off < chunk.length; off += this.sliceBytes) {
      this.queue.push(chunk.subarray(off, Math.min(chunk.length, off + this.sliceBytes)));
    }
    this.pump();
    if (this.queue.length > 0) this.paused = true;
    return this.queue.length === 0;
  }

  override onComplete(trailers: string[] | null): void {
    if (this.queue.length === 0 && this.timer === undefined) {
      this.handler.onComplete(trailers);
      return;
    }
    this.completion = { trailers };
    // The attempt is over, so a cancellation must reach this handler's timer.
    this.req.pendingCancel = (err) => this.onError(err);
  }

  override onError(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.handler.onError(err);
  }

  private pump(): void {
    if (this.timer !== undefined || this.failed) return;
    while (this.queue.length > 0) {
      const now = performance.now();
      if (this.freeAtMs > now) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, this.freeAtMs - now);
        return;
      }
      const slice = this.queue.shift() as Buffer;
      this.freeAtMs = Math.max(this.freeAtMs, now) + (slice.length * 1000) / this.bytesPerSec;
      this.handler.onData(slice);
    }
    if (this.paused) {
      this.paused = false;
      this.resume?.();
    }
    if (this.completion) {
      const { trailers } = this.completion;
      this.completion = undefined;
      this.req.pendingCancel = undefined;
      this.handler.onComplete(trailers);
    }
  }
}
