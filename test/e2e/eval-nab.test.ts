import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';

describe('shakedown eval nab', () => {
  it('prints standard / low-FP / low-FN scores as text and JSON', async () => {
    const text = await runCliProcess(['eval', 'nab', '--detector', 'ensemble,null']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/35 files, 127756 rows, 50 windows/);
    expect(text.stdout).toMatch(/^ensemble\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d/m);
    expect(text.stdout).toMatch(/^null\s+0\.0\s+0\.0\s+0\.0/m);

    const json = await runCliProcess([
      'eval',
      'nab',
      '--detector',
      'windowed-gaussian',
      '--likelihood',
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const [r] = JSON.parse(json.stdout) as Array<{
      standard: number;
      lowFp: number;
      lowFn: number;
      detector: unknown;
    }>;
    expect(r?.detector).toEqual({ type: 'windowed-gaussian', likelihood: true });
    expect(r?.standard).toBeGreaterThan(50);
  });

  it('exits 2 naming the known detectors, and 4 when the corpus is missing', async () => {
    const bad = await runCliProcess(['eval', 'nab', '--detector', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown detector "nope"[\s\S]*known detector types: .*ensemble/);
    const badParam = await runCliProcess(['eval', 'nab', '--detector', 'ewma', '--param', 'alpha=x']);
    expect(badParam.code).toBe(2);
    const missing = await runCliProcess(['eval', 'nab', '--detector', 'null', '--data', '/nonexistent/nab']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/not a NAB corpus: data is missing/);
  });
});
