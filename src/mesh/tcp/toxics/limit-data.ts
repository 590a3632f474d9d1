import { sizeBytes, strictObject } from '../../../spec/types.js';
import { defineToxic } from '../core/types.js';

/** How many bytes of a chunk may pass when `passedBytes` of `limitBytes` already have. */
export function limitDataTake(limitBytes: number, passedBytes: number, chunkBytes: number): number {
  return Math.max(0, Math.min(chunkBytes, limitBytes - passedBytes));
}

/**
 * Toxiproxy's `limit_data`: lets `bytes` bytes through (counted per connection from when the
 * toxic started acting on it), then closes the connection.
 */
export const limitDataToxic = defineToxic({
  type: 'limit_data',
  summary: 'closes the connection once `bytes` bytes have passed',
  attributes: strictObject({ bytes: sizeBytes }),
  integrity: 'prefix',
  example: { bytes: 1000 },
  create: (a) => {
    let passedBytes = 0;
    return {
      data(chunk, out) {
        const take = limitDataTake(a.bytes, passedBytes, chunk.data.length);
        if (take > 0) {
          out.push(
            take === chunk.data.length ? chunk : { data: chunk.data.subarray(0, take), dueMs: chunk.dueMs },
          );
          passedBytes += take;
        }
        if (passedBytes >= a.bytes) out.close();
      },
    };
  },
});
