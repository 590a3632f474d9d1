import { describe, expect, it } from 'vitest';
import { ShakedownError, usageError } from '../../core/errors.js';
import { statusOf } from './server.js';

// One mapping from control-call errors to HTTP statuses, for the mesh's routes and for the
// planes mounted beside them (TCP listeners, fleet).
describe('statusOf', () => {
  it('maps unknown things to 404, wrong states to 409, not-ready to 503, bad input to 400', () => {
    expect(statusOf(usageError('E_MESH_UNKNOWN_SERVICE', 'x'))).toBe(404);
    expect(statusOf(new ShakedownError('E_NOT_FOUND', 'x'))).toBe(404);
    expect(statusOf(usageError('E_TCP_UNKNOWN_LISTENER', 'x'))).toBe(404);
    expect(statusOf(new ShakedownError('E_REPLICA_STATE', 'x'))).toBe(409);
    expect(statusOf(new ShakedownError('E_FLEET_STOPPED', 'x'))).toBe(409);
    expect(statusOf(usageError('E_MESH_ENDPOINT_EXISTS', 'x'))).toBe(409);
    expect(statusOf(new ShakedownError('E_REPLICA_NOT_READY', 'x'))).toBe(503);
    expect(statusOf(new ShakedownError('E_FORBIDDEN', 'x'))).toBe(403);
    expect(statusOf(usageError('E_MESH_INVALID', 'x'))).toBe(400);
    expect(statusOf(new ShakedownError('E_SOMETHING', 'x'))).toBe(500);
    expect(statusOf(new Error('plain'))).toBe(500);
  });
});
