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
