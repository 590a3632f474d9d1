import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { FaultContext } from './types.js';

/** The TCP listeners' control, or a usage error when the platform has none. */
export function requireTcp(ctx: FaultContext) {
  if (!ctx.controls.tcp)
    throw new ShakedownError('E_CHAOS_NO_TCP', 'TCP faults need TCP listeners (mesh.tcp in the spec)', {
      exitCode: ExitCode.usage,
    });
  return ctx.controls.tcp;
}

/** Checks the listener exists (at plan time, so a typo fails before anything is injected). */
export async function requireListener(ctx: FaultContext, name: string): Promise<void> {
  const all = await requireTcp(ctx).listeners();
  if (!all.some((l) => l.name === name))
    throw new ShakedownError(
      'E_CHAOS_TARGET',
      `no TCP listener "${name}"; listeners: ${all.map((l) => l.name).join(', ') || '(none)'}`,
      { exitCode: ExitCode.usage },
    );
}
