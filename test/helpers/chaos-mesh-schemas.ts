import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { repoRoot } from './cli.js';

/**
 * The Chaos Mesh CRD schemas of the shared public schemas (never copied into the
 * project): `$SHAKEDOWN_SHARED_SCHEMAS`, else `../shared/schemas` beside the repository,
 * else `/work/shared/schemas`. A missing directory is an error naming where it looked.
 */
export function sharedSchemasDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    ...(env.SHAKEDOWN_SHARED_SCHEMAS ? [resolve(env.SHAKEDOWN_SHARED_SCHEMAS)] : []),
    resolve(repoRoot, '..', 'shared', 'schemas'),
    '/work/shared/schemas',
  ];
  for (const c of candidates) if (existsSync(join(c, 'chaos-mesh'))) return c;
  throw new Error(
    `the shared CRD schemas (chaos-mesh/*.yaml) were not found; looked in ${candidates.join(', ')}. Set SHAKEDOWN_SHARED_SCHEMAS.`,
  );
}

const files: Record<string, string> = {
  PodChaos: 'podchaos.yaml',
  NetworkChaos: 'networkchaos.yaml',
  StressChaos: 'stresschaos.yaml',
  HTTPChaos: 'httpchaos.yaml',
  Schedule: 'schedules.yaml',
  Workflow: 'workflows.yaml',
};

/** A validator per kind, compiled from the CRD's openAPIV3Schema of v1alpha1. */
export function chaosMeshValidators(): Record<string, (o: unknown) => string[]> {
  const dir = join(sharedSchemasDir(), 'chaos-mesh');
  // Kubernetes structural schemas use a few keywords ajv does not know (x-kubernetes-*).
  // Both are CommonJS with a default export; under NodeNext ESM the class is `.default`.
  const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
  const addFormats =
    (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;
  const ajv = new (Ajv as unknown as new (o: object) => import('ajv').default)({
    strict: false,
    allErrors: true,
  });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  const out: Record<string, (o: unknown) => string[]> = {};
  for (const [kind, file] of Object.entries(files)) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as {
      spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
    };
    const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
    if (!version) throw new Error(`${file} has no v1alpha1 version`);
    const validate = ajv.compile(toJsonSchema(version.schema.openAPIV3Schema) as object);
    out[kind] = (o) =>
      validate(o)
        ? []
        : (validate.errors ?? []).map(
            (e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`,
          );
  }
  return out;
}

/**
 * OpenAPI 3.0 schemas write exclusive bounds as booleans beside minimum / maximum (draft
 * 4); ajv reads JSON Schema draft 7, where they are numbers. Nothing else differs for
 * these CRDs.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) o[k] = toJsonSchema(v);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof o[flag] !== 'boolean') continue;
    if (o[flag] === true && typeof o[bound] === 'number') {
      o[flag] = o[bound];
      delete o[bound];
    } else delete o[flag];
  }
  return o;
}
