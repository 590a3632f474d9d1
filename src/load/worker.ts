import { parentPort } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { encodeWindow } from '../core/window.js';
import { runSegment } from './segment-runner.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** Worker-thread entry: runs one execution segment and streams encoded windows back. */
const port = parentPort;
if (!port) throw new Error('load worker must run in a worker thread');
const stop = new AbortController();
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    stop.abort();
    return;
  }
  runSegment(msg.config, msg.segment, msg.runStartMs, {
    clock: systemClock,
    stop: stop.signal,
    onTick: (t) =>
      send({
        type: 'tick',
        completedSeconds: Number.isFinite(t.completedSeconds) ? t.completedSeconds : -1,
        windows: t.windows.map(encodeWindow),
        vus: t.vus,
      }),
  }).then(
    (checks) => {
      send({ type: 'done', checks });
    },
    (err: Error & { code?: string }) => {
      send({
        type: 'error',
        message: err.message,
        ...(err.code ? { code: err.code } : {}),
        ...(err.stack ? { stack: err.stack } : {}),
      });
    },
  );
});
send({ type: 'ready' });
