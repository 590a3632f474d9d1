import { decodeWindow, type Window } from '../core/window.js';
import type { MeshControl } from '../mesh/control.js';

/**
 * The mesh's per-second windows as the analysis reads them: those that started in
 * [sinceMs, untilMs), decoded, from the in-process mesh or a running one's admin API
 * (`GET /v1/windows?since=`); the mesh keeps the last ten minutes.
 */
export function meshWindows(
  mesh: Pick<MeshControl, 'windows'>,
): (sinceMs: number, untilMs: number) => Promise<Window[]> {
  return async (sinceMs, untilMs) =>
    (await mesh.windows(sinceMs)).filter((w) => w.startMs < untilMs).map(decodeWindow);
}
