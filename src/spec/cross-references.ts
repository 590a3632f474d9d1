import type { z } from 'zod';
import { rolloutCrossReferences } from './sections/rollout.js';
import { meshTemplateRe } from './sections/services.js';

/** What the cross-section checks read of a validated spec. */
interface SpecShape {
  mesh?: { listeners?: Array<{ name: string }> };
  services?: Record<
    string,
    { env: Record<string, string>; versions?: Record<string, { env?: Record<string, string> }> }
  >;
}

const templateRe = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Checks that names one section uses are defined in another: `{{mesh.LISTENER}}` in a
 * service's env names a listener of the `mesh:` section. Runs on the whole spec after each
 * section validated by itself, so the error is located at the template.
 */
export function crossSectionReferences(spec: SpecShape, ctx: z.RefinementCtx): void {
  rolloutCrossReferences(spec as Parameters<typeof rolloutCrossReferences>[0], ctx);
  if (!spec.services) return;
  const listeners = spec.mesh ? (spec.mesh.listeners ?? [{ name: 'http' }]).map((l) => l.name) : [];
  const check = (path: PropertyKey[], env: Record<string, string>) => {
    for (const [key, value] of Object.entries(env)) {
      for (const m of value.matchAll(templateRe)) {
        const listener = meshTemplateRe.exec(m[1] as string)?.[1];
        if (listener === undefined || listeners.includes(listener)) continue;
        ctx.addIssue({
          code: 'custom',
          path: [...path, key],
          message: spec.mesh
            ? `{{mesh.${listener}}} names no mesh listener; listeners: ${listeners.join(', ')}`
            : `{{mesh.${listener}}} needs a mesh: section with a listener "${listener}"`,
        });
      }
    }
  };
  for (const [name, svc] of Object.entries(spec.services)) {
    check(['services', name, 'env'], svc.env);
    for (const [v, ver] of Object.entries(svc.versions ?? {}))
      if (ver.env) check(['services', name, 'versions', v, 'env'], ver.env);
  }
}
