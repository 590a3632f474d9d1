import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { sizeBytes } from '../../spec/types.js';
import { defineFault, leaseTtl } from './types.js';

/**
 * Fills a (temporary) disk: writes a file of `size` bytes in `path` (default the system
 * temp directory), so what writes there sees less space or ENOSPC. The file is a lease in
 * the lease keeper (deleted when the lease runs out or the controller dies) and its name
 * comes from the fault id, so the journal can always find it.
 */
export const diskFillFault = defineFault({
  type: 'disk-fill',
  summary: 'fill a disk with a file of the given size (default in the temp directory)',
  shape: { path: z.string().min(1).optional(), size: sizeBytes },
  async plan(p, _ctx, instance) {
    const dir = resolve(p.path ?? tmpdir());
    const file = join(dir, `${instance.id}.fill`);
    return { targets: [`${file} (${p.size} bytes)`], data: { file, bytes: p.size } };
  },
  async inject(data, ctx, instance, leaseUntilMs) {
    const file = data.file as string;
    // Handed to the keeper first: a crash halfway through leaves no file behind.
    ctx.keeper.add(instance.id, [{ unlink: file }], ctx.now() + leaseTtl(leaseUntilMs, ctx.now()));
    const fd = openSync(file, 'wx', 0o600);
    try {
      const chunk = Buffer.alloc(1 << 20);
      let left = data.bytes as number;
      while (left > 0) {
        const n = writeSync(fd, chunk, 0, Math.min(left, chunk.length));
        left -= n;
      }
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw e;
    }
    closeSync(fd);
  },
  async renew(_data, ctx, instance, leaseUntilMs) {
    ctx.keeper.renew(instance.id, leaseUntilMs);
    return true;
  },
  async revert(data, ctx, id) {
    let existed = true;
    try {
      rmSync(data.file as string);
    } catch {
      existed = false;
    }
    try {
      ctx.keeper.done(id);
    } catch {
      // chaos stop from another process: no keeper of ours.
    }
    return existed ? 'reverted' : 'gone';
  },
});
