import { usageError } from './errors.js';

/**
 * A plug-in family keyed by `type` (executors, faults, detectors, notifiers, outputs…).
 * Adding a plug-in is one file and one `register` line; lookups of unknown types fail
 * with the list of known ones. Registries are values, not module-level singletons that
 * tests mutate: each family exports a function that builds its default registry.
 */
export class Registry<T> {
  private readonly entries = new Map<string, T>();

  constructor(readonly family: string) {}

  /** Adds `value` under `type`; registering a type twice is a programming error. */
  register(type: string, value: T): this {
    if (this.entries.has(type)) throw new Error(`${this.family} "${type}" is already registered`);
    this.entries.set(type, value);
    return this;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  /** Returns the plug-in for `type` or throws a usage error naming the known types. */
  get(type: string): T {
    const v = this.entries.get(type);
    if (v === undefined) {
      throw usageError(
        'E_UNKNOWN_TYPE',
        `unknown ${this.family} "${type}"`,
        `known ${this.family} types: ${this.types().join(', ')}`,
      );
    }
    return v;
  }

  types(): string[] {
    return [...this.entries.keys()].sort();
  }
}
