/**
 * The test oracle of `InputComparison`: fingerprints of what a destination's access is computed
 * from, as the diff used them before diff10 (a JSON text per destination and version). The
 * comparison must say "same" exactly when these fingerprints are equal.
 *
 * A fingerprint covers every field of the resolved {@link WorkloadPolicies} and the declared
 * ports. Loaded objects count by content (apiVersion, kind, metadata and the body as written), not
 * by where they were read from; compiled policies by their resource. Generic over the fields, so a
 * new kind of policy added to `WorkloadPolicies` takes part without changes here.
 *
 * @module
 */
import { VersionInput } from '../../../src/analysis/access/request-classes';
import { sameContent } from '../../../src/analysis/access/same-content';

interface LoadedObject { readonly apiVersion: string; readonly kind: string; readonly metadata: unknown; readonly body: unknown }

function isLoadedObject(v: object): v is LoadedObject {
  return 'body' in v && 'metadata' in v && 'kind' in v && 'apiVersion' in v;
}

/**
 * Fingerprints for one analysis. perf7: the caches are plain Maps that live as long as the analysis
 * (not module-wide WeakMaps: large ephemeron tables made every young-generation collection slow),
 * and a resource's content gets a short id, so a destination's fingerprint is short.
 */
export class InputFingerprints {
  /** Resource → `#id` of its content (apiVersion, kind, metadata and the body as written). */
  private readonly resourceIds = new Map<object, string>();
  /** Resources with distinct content, by apiVersion, kind, namespace and name. */
  private readonly byName = new Map<string, LoadedObject[]>();
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

  private resourceId(r: LoadedObject): string {
    let id = this.resourceIds.get(r);
    if (id === undefined) {
      // perf7: a resource is compared with those of the same kind and name seen before (its
      // counterpart in the other version), structurally, instead of being serialized: the content of
      // every resource of both versions is read, but no text is built or hashed.
      const meta = (typeof r.metadata === 'object' && r.metadata !== null ? r.metadata : {}) as { name?: unknown; namespace?: unknown };
      const nameKey = `${r.apiVersion}\u0000${r.kind}\u0000${String(meta.namespace)}\u0000${String(meta.name)}`;
      const seen = this.byName.get(nameKey);
      const same = seen?.find((o) => o.apiVersion === r.apiVersion && o.kind === r.kind
        && sameContent(o.metadata, r.metadata) && sameContent(o.body, r.body));
      if (same) {
        id = this.resourceIds.get(same) as string;
      } else {
        id = `#${this.resourceIds.size}`;
        if (seen) seen.push(r);
        else this.byName.set(nameKey, [r]);
      }
      this.resourceIds.set(r, id);
    }
    return id;
  }
}
