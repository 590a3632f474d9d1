import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ShakedownError, usageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type LoadedSpec, loadSpecFile, parseYamlWithSchema } from '../spec/load-spec.js';
import { type ChaosSection, type ExperimentSpec, experimentFileSchema } from './schema.js';

/**
 * What `shakedown chaos run|render` acts on: a spec whose `chaos:` section holds the
 * experiments, or an experiment file of its own (it has a top-level `method:`), which may
 * name the spec it runs on (`spec: ../shakedown.yaml`).
 */
export interface ChaosTarget {
  loaded: LoadedSpec | undefined;
  experiments: Array<{ name: string; experiment: ExperimentSpec }>;
  schedules: ChaosSection['schedules'];
  leaseMs: number;
}

export function loadChaosTarget(path: string): ChaosTarget {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ShakedownError(
      'E_SPEC_READ',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      {
        exitCode: ExitCode.usage,
        hint: 'pass a shakedown.yaml with a chaos: section, or an experiment file',
      },
    );
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    raw = undefined; // the loaders below report the syntax error with its position
  }
  if (raw && typeof raw === 'object' && 'method' in raw) {
    const exp = parseYamlWithSchema(text, file, experimentFileSchema);
    const { version: _, name, spec, ...experiment } = exp;
    const loaded = spec ? loadSpecFile(resolve(dirname(file), spec)) : undefined;
    return {
      loaded,
      experiments: [
        { name: name ?? basename(file).replace(/\.ya?ml$/, ''), experiment: experiment as ExperimentSpec },
      ],
      schedules: {},
      leaseMs: loaded?.spec.chaos?.lease ?? 10_000,
    };
  }
  const loaded = loadSpecFile(file);
  const chaos = loaded.spec.chaos;
  if (!chaos)
    throw usageError(
      'E_NO_CHAOS',
      `${path} has no chaos: section`,
      'add chaos: { experiments: {...} }, or pass an experiment file',
    );
  return {
    loaded,
    experiments: Object.entries(chaos.experiments).map(([name, experiment]) => ({ name, experiment })),
    schedules: chaos.schedules,
    leaseMs: chaos.lease,
  };
}

/** The experiments named (all when none is). */
export function pickExperiments(t: ChaosTarget, names: string[] | undefined): ChaosTarget['experiments'] {
  if (!names?.length) return t.experiments;
  const unknown = names.filter((n) => !t.experiments.some((e) => e.name === n));
  if (unknown.length)
    throw usageError(
      'E_CHAOS_EXPERIMENT',
      `unknown experiment ${unknown.map((n) => `"${n}"`).join(', ')}`,
      `experiments: ${t.experiments.map((e) => e.name).join(', ')}`,
    );
  return t.experiments.filter((e) => names.includes(e.name));
}
