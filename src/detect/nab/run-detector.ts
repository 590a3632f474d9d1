import type { Detector } from '../detector.js';
import type { NabFile } from './corpus.js';

/**
 * Runs a fresh detector over each series, one value at a time in order, so it can only
 * use what it has already seen; returns the anomaly scores per file.
 */
export function runDetector(files: readonly NabFile[], create: () => Detector): Float64Array[] {
  return files.map((f) => {
    const d = create();
    const out = new Float64Array(f.values.length);
    for (let i = 0; i < f.values.length; i++) {
      const s = d.update(f.timestampsMs[i] as number, f.values[i] as number);
      if (!(s >= 0 && s <= 1))
        throw new Error(`${f.name}: detector returned ${s} at row ${i}; scores must be in [0, 1]`);
      out[i] = s;
    }
    return out;
  });
}
