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

const resourceKeys = new WeakMap<object, string>();

function isLoadedObject(v: object): v is { apiVersion: string; kind: string; metadata: unknown; body: unknown } {
  return 'body' in v && 'metadata' in v && 'kind' in v && 'apiVersion' in v;
}

function resourceKey(r: { apiVersion: string; kind: string; metadata: unknown; body: unknown }): string {
  let key = resourceKeys.get(r);
  if (key === undefined) {
    key = JSON.stringify([r.apiVersion, r.kind, r.metadata, r.body]);
    resourceKeys.set(r, key);
  }
  return key;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (isLoadedObject(value)) return resourceKey(value);
  // A compiled policy: its resource says everything (its compiled chains are derived, and lazy).
  if ('resource' in value && typeof value.resource === 'object' && value.resource !== null && isLoadedObject(value.resource)) {
    return resourceKey(value.resource);
  }
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Set) return [...value.values()];
  return value;
}

/**
 * Fingerprints of resolved policies: the policy index resolves a workload once, and its Service
 * column and workload column share that object (perf5: each is fingerprinted once).
 */
const policyKeys = new WeakMap<object, string>();

/** The content of one version's input of a destination; `-` when the destination is absent. */
export function inputFingerprint(input: VersionInput | undefined): string {
  if (input === undefined) return '-';
  let out = '';
  for (const [field, value] of Object.entries(input)) {
    let text: string;
    if (field === 'policies' && typeof value === 'object' && value !== null) {
      text = policyKeys.get(value) ?? JSON.stringify(value, replacer);
      policyKeys.set(value, text);
    } else {
      text = JSON.stringify(value, replacer);
    }
    out += `${JSON.stringify(field)}:${text}\u0000`;
  }
  return out;
}
