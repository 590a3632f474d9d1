import { meshErrors } from '../errors.js';
import {
  cancelRequest,
  DecoratorHandler,
  type ProxyHandler,
  type ProxyLayer,
  type ProxyRequest,
} from './types.js';

/**
 * The route's overall timeout (Envoy's route `timeout`): the whole exchange, retries and
 * backoff included, must end within it. When it fires, whatever is in progress (an attempt,
 * a backoff, a fault delay) is cancelled and the client gets a 504, or, if the response
 * had already started, a cut connection.
 */
export function timeoutLayer(): ProxyLayer {
  return (next) => (req, handler) => {
    if (req.timeoutMs <= 0) {
      next(req, handler);
      return;
    }
    next(req, new TimeoutHandler(handler, req));
  };
}

class TimeoutHandler extends DecoratorHandler {
  private readonly timer: NodeJS.Timeout;

  constructor(handler: ProxyHandler, req: ProxyRequest) {
    super(handler);
    this.timer = setTimeout(fire, req.timeoutMs, req);
  }

  override onComplete(trailers: string[] | null): void {
    clearTimeout(this.timer);
    this.handler.onComplete(trailers);
  }

  override onError(err: Error): void {
    clearTimeout(this.timer);
    this.handler.onError(err);
  }
}

function fire(req: ProxyRequest): void {
  cancelRequest(req, meshErrors.timeout());
}
