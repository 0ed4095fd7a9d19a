/**
 * Fingerprints of what a destination's access is computed from, so that the diff can skip the
 * destinations whose inputs are the same in both versions (their access cannot differ): cost
 * proportional to what changed, not to the mesh.
 *
 * A fingerprint covers every field of the resolved {@link WorkloadPolicies} and the declared
 * ports. Loaded objects count by content (apiVersion, kind, metadata and the body as written), not
 * by where they were read from; compiled policies by their resource. Generic over the fields, so a
 * new kind of policy added to `WorkloadPolicies` takes part without changes here.
 *
 * @module
 */
import { VersionInput } from './request-classes';

function isLoadedObject(v: object): v is { apiVersion: string; kind: string; metadata: unknown; body: unknown } {
  return 'body' in v && 'metadata' in v && 'kind' in v && 'apiVersion' in v;
}

/**
 * Fingerprints for one analysis. perf7: the caches are plain Maps that live as long as the analysis
 * (not module-wide WeakMaps: large ephemeron tables made every young-generation collection slow),
 * and a resource's content is interned as a short id, so a destination's fingerprint is short.
 */
export class InputFingerprints {
  /** Resource → `#id` of its content (apiVersion, kind, metadata and the body as written). */
  private readonly resourceIds = new Map<object, string>();
  private readonly contentIds = new Map<string, string>();
  /**
   * Fingerprints of resolved policies: the policy index resolves a workload once, and its Service
   * column and workload column share that object (perf5: each is fingerprinted once).
   */
  private readonly policyKeys = new Map<object, string>();
  private readonly replacer = (_key: string, value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if (isLoadedObject(value)) return this.resourceId(value);
    // A compiled policy: its resource says everything (its compiled chains are derived, and lazy).
    if ('resource' in value && typeof value.resource === 'object' && value.resource !== null && isLoadedObject(value.resource)) {
      return this.resourceId(value.resource);
    }
    if (value instanceof Map) return [...value.entries()];
    if (value instanceof Set) return [...value.values()];
    return value;
  };

  /** The content of one version's input of a destination; `-` when the destination is absent. */
  public of(input: VersionInput | undefined): string {
    if (input === undefined) return '-';
    let out = '';
    for (const [field, value] of Object.entries(input)) {
      let text: string;
      if (field === 'policies' && typeof value === 'object' && value !== null) {
        text = this.policyKeys.get(value) ?? JSON.stringify(value, this.replacer);
        this.policyKeys.set(value, text);
      } else {
        text = JSON.stringify(value, this.replacer);
      }
      out += `${JSON.stringify(field)}:${text}\u0000`;
    }
    return out;
  }

  private resourceId(r: { apiVersion: string; kind: string; metadata: unknown; body: unknown }): string {
    let id = this.resourceIds.get(r);
    if (id === undefined) {
      const content = JSON.stringify([r.apiVersion, r.kind, r.metadata, r.body]);
      id = this.contentIds.get(content);
      if (id === undefined) {
        id = `#${this.contentIds.size}`;
        this.contentIds.set(content, id);
      }
      this.resourceIds.set(r, id);
    }
    return id;
  }
}
