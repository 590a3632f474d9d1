import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecFile, parseSpecText } from './load-spec.js';
import { SpecError } from './spec-error.js';

function issuesOf(text: string) {
  try {
    parseSpecText(text, 'shop.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

const good = `
name: shop
load:
  baseUrl: http://127.0.0.1:8080
  thresholds:
    http_req_duration: ["p(99)<250"]
  scenarios:
    browse:
      executor: constant-vus
      vus: 10
      duration: 30s
      think: 1s
      requests:
        - url: /products
`;

describe('parseSpecText', () => {
  it('accepts a valid spec and converts units', () => {
    const { spec, hash } = parseSpecText(good);
    const s = spec.load?.scenarios.browse;
    expect(s?.executor).toBe('constant-vus');
    if (s?.executor !== 'constant-vus') throw new Error('narrowing');
    expect(s.duration).toBe(30_000);
    expect(s.think).toBe(1000);
    expect(s.requests[0]?.method).toBe('GET');
    expect(s.gracefulStop).toBe(30_000);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names file:line:col and the allowed keys for an unknown key', () => {
    const issues = issuesOf(good.replace('      vus: 10', '      vus: 10\n      vuz: 3'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'shop.yaml', line: 11, col: 7, path: 'load.scenarios.browse' });
    expect(issues[0]?.message).toContain('unknown key "vuz"');
    expect(issues[0]?.message).toContain('expected one of:');
    expect(issues[0]?.message).toContain('vus');
  });

  it('rejects unknown top-level sections', () => {
    const issues = issuesOf('lod:\n  scenarios: {}\n');
    expect(issues[0]).toMatchObject({ line: 1, col: 1 });
    expect(issues[0]?.message).toContain('unknown key "lod"');
  });

  it('says which executors exist when the executor is wrong', () => {
    const issues = issuesOf(good.replace('constant-vus', 'constant-users'));
    expect(issues[0]).toMatchObject({ line: 9, col: 17, path: 'load.scenarios.browse.executor' });
    expect(issues[0]?.message).toContain('"ramping-arrival-rate"');
    expect(issues[0]?.message).toContain('constant-users');
  });

  it('explains a bad duration with an example of the right shape', () => {
    const issues = issuesOf(good.replace('duration: 30s', 'duration: 30 seconds'));
    expect(issues[0]).toMatchObject({ line: 11, col: 17, path: 'load.scenarios.browse.duration' });
    expect(issues[0]?.message).toMatch(/expected a duration such as "30s".*got "30 seconds"/);
  });

  it('reports a missing required field at its parent', () => {
    const issues = issuesOf(good.replace('      vus: 10\n', ''));
    expect(issues[0]?.path).toBe('load.scenarios.browse.vus');
    expect(issues[0]?.message).toContain('missing required field');
    expect(issues[0]?.line).toBe(9);
  });

  it('reports YAML syntax errors with their position', () => {
    const issues = issuesOf('load:\n  scenarios: [\n');
    expect(issues[0]?.message).toMatch(/^YAML syntax/);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('lists several problems at once', () => {
    const issues = issuesOf(good.replace('vus: 10', 'vus: -1').replace('think: 1s', 'think: soon'));
    expect(issues.map((i) => i.path).sort()).toEqual([
      'load.scenarios.browse.think',
      'load.scenarios.browse.vus',
    ]);
  });
});

describe('loadSpecFile', () => {
  it('reads a file and resolves its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    const f = join(dir, 'shakedown.yaml');
    writeFileSync(f, good);
    const loaded = loadSpecFile(f);
    expect(loaded.dir).toBe(dir);
    expect(loaded.file).toBe(f);
  });

  it('fails with exit code 2 and a hint when the file is missing', () => {
    try {
      loadSpecFile('/nonexistent/shakedown.yaml');
      expect.unreachable();
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
      expect((e as Error).message).toContain('ENOENT');
    }
  });
});
