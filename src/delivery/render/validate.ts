import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';

/**
 * Checks rendered objects against the public API schemas (`../shared/schemas`, read-only,
 * never copied into the project): the Gateway API HTTPRoute CRD's `openAPIV3Schema` of the
 * object's version, with ajv (a development dependency: `--validate` needs it installed).
 * The CRD's CEL rules (`x-kubernetes-validations`) are not evaluated by ajv; the renderer
 * keeps to them by construction (a Service backend always has a port, one mirror share).
 */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the shared schemas are: $SHAKEDOWN_SHARED_SCHEMAS, ../shared/schemas beside the repository, /work/shared/schemas. */
export function sharedSchemasDir(
  env: NodeJS.ProcessEnv = process.env,
  root = repoRoot,
  fallback = '/work/shared/schemas',
): string {
  const candidates = [
    env.SHAKEDOWN_SHARED_SCHEMAS,
    resolve(root, '..', 'shared', 'schemas'),
    fallback,
  ].filter((x): x is string => typeof x === 'string' && x !== '');
  const found = candidates.find((c) => existsSync(resolve(c, 'gateway-api', 'httproutes.yaml')));
  if (!found)
    throw new ShakedownError(
      'E_NO_SCHEMAS',
      `the Gateway API schemas are missing (looked in ${candidates.join(', ')})`,
      {
        exitCode: ExitCode.environment,
        hint: 'set SHAKEDOWN_SHARED_SCHEMAS to the folder holding gateway-api/httproutes.yaml',
      },
    );
  return found;
}

type Validate = ((o: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string }> | null;
};

/** A validator of HTTPRoute objects: returns the problems (empty when valid). */
export async function httpRouteValidator(
  dir = sharedSchemasDir(),
): Promise<(obj: Record<string, unknown>) => string[]> {
  const crd = parse(readFileSync(resolve(dir, 'gateway-api', 'httproutes.yaml'), 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Record<string, unknown> } }> };
  };
  let Ajv: new (
    o: Record<string, unknown>,
  ) => { compile(s: unknown): Validate; addFormat(n: string, f: unknown): void };
  try {
    const mod = (await import('ajv')) as unknown as { default: typeof Ajv };
    Ajv = mod.default;
  } catch {
    throw new ShakedownError('E_NO_AJV', 'validating rendered objects needs the ajv package', {
      exitCode: ExitCode.environment,
      hint: 'npm install ajv (a development dependency of Shakedown)',
    });
  }
  const validators = new Map<string, Validate>();
  for (const v of crd.spec.versions) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('int32', {
      type: 'number',
      validate: (x: number) => Number.isInteger(x) && Math.abs(x) < 2 ** 31,
    });
    ajv.addFormat('int64', { type: 'number', validate: (x: number) => Number.isInteger(x) });
    ajv.addFormat('date-time', true);
    validators.set(`gateway.networking.k8s.io/${v.name}`, ajv.compile(v.schema.openAPIV3Schema));
  }
  return (obj) => {
    const validate = validators.get(String(obj.apiVersion));
    if (!validate)
      return [`apiVersion ${String(obj.apiVersion)} is not one of ${[...validators.keys()].join(', ')}`];
    if (obj.kind !== 'HTTPRoute') return [`kind ${String(obj.kind)} is not HTTPRoute`];
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  };
}
