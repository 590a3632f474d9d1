import { z } from 'zod';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineAction } from './types.js';

/** Scales a service's version (a rollback after a fault that removed capacity, or a step). */
export const scaleAction = defineAction({
  type: 'scale',
  summary: 'scale a service (version) to a number of replicas; waits until they are ready',
  shape: { service: z.string().min(1), replicas: z.number().int().min(0), version: z.string().optional() },
  async run(p, ctx) {
    if (!ctx.controls.fleet)
      throw new ShakedownError('E_CHAOS_NO_FLEET', 'scale needs services run by Shakedown', {
        exitCode: ExitCode.usage,
      });
    const s = await ctx.controls.fleet.scale(p.service, p.replicas, p.version);
    return { service: s.name, ready: s.versions.map((v) => `${v.name}:${v.ready}/${v.desired}`).join(' ') };
  },
});
