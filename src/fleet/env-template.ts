/**
 * `{{name}}` templates in the env values of a service: the replica's own `port`, `host`,
 * `service`, `version`, `replica`, and `urls.SERVICE` / `urls.SERVICE.VERSION` (the
 * comma-separated base URLs of that service's replicas, for services that call each
 * other directly rather than through the mesh). The spec section checks the names; this
 * expands them, given a lookup that knows the values.
 */
const templateRe = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Replaces every template in `value`; an unknown name throws (the spec check missed it). */
export function expandTemplates(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(templateRe, (_, name: string) => {
    const v = lookup(name);
    if (v === undefined) throw new Error(`unknown template {{${name}}}`);
    return v;
  });
}

/** Who a replica is, for its environment. */
export interface ReplicaIdentity {
  service: string;
  version: string;
  replica: string;
  host: string;
  port: number;
}

/**
 * The environment of a replica process: the base environment (all of it, or only PATH and
 * HOME when the service does not inherit), the version's env with templates expanded, and
 * what the fleet tells every replica (PORT, HOST, SHAKEDOWN_SERVICE / _VERSION / _REPLICA,
 * SHAKEDOWN_EXIT_WITH_PARENT=1), which a spec cannot override.
 */
export function replicaEnv(
  who: ReplicaIdentity,
  env: Record<string, string>,
  base: NodeJS.ProcessEnv,
  inherit: boolean,
  lookupShared: (name: string) => string | undefined,
): NodeJS.ProcessEnv {
  const own: Record<string, string> = {
    port: String(who.port),
    host: who.host,
    service: who.service,
    version: who.version,
    replica: who.replica,
  };
  const lookup = (name: string) => own[name] ?? lookupShared(name);
  const out: NodeJS.ProcessEnv = inherit ? { ...base } : { PATH: base.PATH, HOME: base.HOME };
  for (const [k, v] of Object.entries(env)) out[k] = expandTemplates(v, lookup);
  return Object.assign(out, {
    PORT: String(who.port),
    HOST: who.host,
    SHAKEDOWN_SERVICE: who.service,
    SHAKEDOWN_VERSION: who.version,
    SHAKEDOWN_REPLICA: who.replica,
    SHAKEDOWN_EXIT_WITH_PARENT: '1',
  });
}
