import { usageError } from '../core/errors.js';
import { isLoopbackHost } from '../load/target-policy.js';
import { assertEndpointAllowed, parseAddress } from './address.js';
import type { MeshConfig } from './model.js';

/**
 * Cross-references of a mesh configuration that a schema of each part cannot see: routes
 * name existing services and listeners, overrides and mirrors name declared versions,
 * endpoints are addresses the mesh may proxy to. The spec schema reports the same
 * problems with file:line:col; this guards configurations built in code.
 */
export function checkMeshConfig(config: MeshConfig): void {
  const unique = (what: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) throw usageError('E_MESH_CONFIG', `duplicate ${what} name "${n}"`);
      seen.add(n);
    }
  };
  unique(
    'listener',
    config.listeners.map((l) => l.name),
  );
  unique(
    'route',
    config.routes.map((r) => r.name),
  );
  unique(
    'service',
    config.services.map((s) => s.name),
  );
  if (config.admin.enabled && !config.allowRemote && !isLoopbackHost(config.admin.host)) {
    throw usageError(
      'E_MESH_ADMIN_REMOTE',
      `the admin API may listen on loopback only, not ${config.admin.host}`,
      'use 127.0.0.1 (the default), or set mesh.allowRemote: true if it must be reachable from elsewhere',
    );
  }
  const listeners = new Set(config.listeners.map((l) => l.name));
  const services = new Map(config.services.map((s) => [s.name, s]));
  for (const l of config.listeners) {
    if (l.requestTimeoutMs > 0 && l.headersTimeoutMs > l.requestTimeoutMs) {
      throw usageError(
        'E_MESH_CONFIG',
        `listener "${l.name}": headersTimeout (${l.headersTimeoutMs} ms) must not exceed requestTimeout (${l.requestTimeoutMs} ms)`,
      );
    }
  }
  for (const r of config.routes) {
    if (!services.has(r.service)) {
      throw usageError(
        'E_MESH_CONFIG',
        `route "${r.name}" names service "${r.service}", which is not defined`,
        `services: ${[...services.keys()].join(', ') || '(none)'}`,
      );
    }
    for (const l of r.listeners) {
      if (!listeners.has(l))
        throw usageError('E_MESH_CONFIG', `route "${r.name}" names unknown listener "${l}"`);
    }
  }
  for (const s of config.services) {
    const versions = new Set(s.versions.map((v) => v.name));
    unique(
      `version of service "${s.name}"`,
      s.versions.map((v) => v.name),
    );
    for (const o of s.overrides) {
      if (!versions.has(o.version))
        throw usageError(
          'E_MESH_CONFIG',
          `service "${s.name}": override names unknown version "${o.version}"`,
        );
    }
    if (s.mirror && !versions.has(s.mirror.version))
      throw usageError(
        'E_MESH_CONFIG',
        `service "${s.name}": mirror names unknown version "${s.mirror.version}"`,
      );
    for (const v of s.versions)
      for (const e of v.endpoints) assertEndpointAllowed(parseAddress(e), config.allowRemote);
  }
}
