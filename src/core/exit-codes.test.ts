import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeDescriptions } from './exit-codes.js';

describe('exit codes', () => {
  it('the README documents exactly the codes of the table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => ({
      code: Number(m[1]),
      name: m[2],
      meaning: m[3],
    }));
    expect(rows).toEqual(
      exitCodeDescriptions.map((e) => ({ code: e.code, name: e.name, meaning: e.meaning })),
    );
  });

  it('every named code is described once', () => {
    expect(exitCodeDescriptions.map((e) => e.code).sort((a, b) => a - b)).toEqual(
      Object.values(ExitCode).sort((a, b) => a - b),
    );
  });
});
