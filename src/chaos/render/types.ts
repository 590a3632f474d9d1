/**
 * A Chaos Mesh custom resource as rendered for Kubernetes (`shakedown chaos render
 * --target kubernetes`): plain data, validated by tests against the CRD schemas.
 */
export interface ChaosMeshObject {
  apiVersion: 'chaos-mesh.org/v1alpha1';
  kind: 'PodChaos' | 'NetworkChaos' | 'StressChaos' | 'HTTPChaos' | 'Schedule' | 'Workflow';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

/** What a fault renderer knows about where it runs. */
export interface RenderContext {
  namespace: string;
  /** The object's name (a DNS label). */
  name: string;
  /** How long the fault lasts (a Chaos Mesh duration, e.g. "30s"), if it has one. */
  duration: string | undefined;
  /** Pod label selector of a service (default `app: <service>`). */
  selectorOf(service: string, version?: string): Record<string, string>;
  /** Port of a service's pods (HTTPChaos needs it). */
  portOf(service: string): number;
}
