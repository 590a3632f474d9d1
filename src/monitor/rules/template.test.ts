import { describe, expect, it } from 'vitest';
import { compileTemplate, humanize } from './template.js';

const data = {
  labels: { job: 'api', instance: '127.0.0.1:9' },
  value: 0.12345,
  externalLabels: { cluster: 'eu' },
};

describe('annotation templates', () => {
  it('renders $value, $labels, $externalLabels and the supported functions', () => {
    const r = (s: string) => compileTemplate(s).render(data);
    expect(r('{{ $labels.job }} at {{ $value }}')).toBe('api at 0.12345');
    expect(r('{{ $value | humanizePercentage }}')).toBe('12.35%');
    expect(r('{{ humanize 1234567 }}')).toBe('1.235M');
    expect(r('{{ printf "%.2f" $value }} on {{ $externalLabels.cluster }}')).toBe('0.12 on eu');
    expect(r('{{- $labels.missing -}}!')).toBe('!');
    expect(r('{{ humanizeDuration 90 }}')).toBe('1m30s');
    expect(humanize(0.0042)).toBe('4.2m');
  });

  it('rejects what it would not render at load time', () => {
    expect(() => compileTemplate('{{ $valu }}')).toThrow(/unknown variable "\$valu"/);
    expect(() => compileTemplate('{{ toUpper $labels.job }}')).toThrow(
      /unsupported template function "toUpper"/,
    );
    expect(() => compileTemplate('{{ $value ')).toThrow(/unclosed/);
  });
});
