import { meshErrors } from '../errors.js';
import type { FaultTable } from '../faults/table.js';
import { emptyPlan, type FaultPlan } from '../faults/types.js';
import { ThrottleHandler } from './throttle.js';
import type { ProxyDispatch, ProxyHandler, ProxyLayer, ProxyRequest } from './types.js';

/**
 * The fault filter (Envoy's `envoy.filters.http.fault`): rolls the faults in force that
 * match the request's route, service and version (and header trigger), then delays,
 * aborts, resets or throttles it. With no fault in force it is one length check.
 */
export function faultLayer(table: FaultTable): ProxyLayer {
  return (next) => (req, handler) => {
    if (table.size === 0) {
      next(req, handler);
      return;
    }
    const plan = emptyPlan();
    if (!table.plan(req.routeName, req.cluster.service, req.cluster.version, req.headers, plan)) {
      next(req, handler);
      return;
    }
    if (plan.delayMs > 0) {
      const timer = setTimeout(() => {
        req.pendingCancel = undefined;
        carryOut(plan, req, handler, next);
      }, plan.delayMs);
      req.pendingCancel = (err) => {
        clearTimeout(timer);
        handler.onError(err);
      };
      return;
    }
    carryOut(plan, req, handler, next);
  };
}

function carryOut(plan: FaultPlan, req: ProxyRequest, handler: ProxyHandler, next: ProxyDispatch): void {
  if (req.cancelled) handler.onError(req.cancelled);
  else if (plan.reset) handler.onError(meshErrors.faultReset());
  else if (plan.abortStatus !== 0) handler.onError(meshErrors.faultAbort(plan.abortStatus));
  else next(req, plan.bytesPerSec > 0 ? new ThrottleHandler(handler, plan.bytesPerSec, req) : handler);
}
