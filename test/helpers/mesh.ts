import { type MeshSpecOverrides, meshConfigFromSpec } from '../../src/mesh/from-spec.js';
import type { MeshConfig } from '../../src/mesh/model.js';
import { parseSpecText } from '../../src/spec/load-spec.js';

/** A mesh config from the YAML of a `mesh:` section (indented under `mesh:`), as users write it. */
export function meshConfigFromYaml(yaml: string, overrides: MeshSpecOverrides = {}): MeshConfig {
  const loaded = parseSpecText(`version: 1\nmesh:\n${yaml}`);
  if (!loaded.spec.mesh) throw new Error('no mesh section');
  return meshConfigFromSpec(loaded.spec.mesh, overrides);
}
