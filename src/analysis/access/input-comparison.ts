/**
 * Whether a destination's inputs are the same in every version, compared pairwise in place: the
 * diff skips the destinations whose inputs are equal (their access cannot differ).
 *
 * The comparison says "same" exactly when the fingerprints of the inputs (their former test) are equal:
 * every field of the resolved `WorkloadPolicies` and the declared ports as JSON would write them,
 * loaded objects by content (apiVersion, kind, metadata and the body as written, not where they
 * were read from), compiled policies by their resource. diff10: the fingerprints built a JSON text
 * of every destination of every version (two per column of the mesh, kept for the whole
 * analysis); this walks the two inputs side by side, stops at the first difference, and compares
 * each pair of loaded objects once.
 *
 * @module
 */
import { DeclaredPort, VersionInput } from './request-classes';
import { ContentOf, sameLoadedObject } from './same-content';
import { WorkloadPolicies } from '../evaluator/policy-index';

function isLoadedObject(v: object): v is ContentOf {
  return 'body' in v && 'metadata' in v && 'kind' in v && 'apiVersion' in v;
}

/** The loaded object a value stands for in a fingerprint (itself, or a compiled policy's resource), if any. */
function resourceOf(v: object): ContentOf | undefined {
  if (isLoadedObject(v)) return v;
  if ('resource' in v && typeof v.resource === 'object' && v.resource !== null && isLoadedObject(v.resource)) return v.resource;
  return undefined;
}

/** Values JSON leaves out of an object (and writes as `null` in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** Pairwise comparison of destination inputs across versions, for one analysis. */
export class InputComparison {
  /** Loaded object → the objects it was compared with, and the answer. */
  private readonly resources = new Map<object, Map<object, boolean>>();
  /**
   * Record → the records it was compared with, and the answer. diff14: the versions' resolved
   * inputs share parts (a namespace's PeerAuthentication, resolved once per namespace), each
   * pair then walked once.
   */
  private readonly records = new Map<object, Map<object, boolean>>();

  /** True when every version has the destination, with inputs of the same content. */
  public sameAcross(inputs: readonly (VersionInput | undefined)[]): boolean {
    if (inputs.some((i) => i === undefined)) return false;
    // diff16: the columns compared are those a changed policy may reach (see policy-changes.ts), whose
    // lists of policies mostly differ: these are compared first, without walking the rest of the
    // inputs (the answer is the conjunction of every part's, whatever the order they are taken in).
    const given = inputs as readonly VersionInput[];
    for (let v = 1; v < given.length; v++) if (!this.samePolicyLists(given[0].policies, given[v].policies)) return false;
    for (let v = 1; v < inputs.length; v++) if (!this.same(inputs[0], inputs[v])) return false;
    return true;
  }

  /** False when two resolutions' lists of policies by action differ (as {@link same} would find them); true says nothing. */
  private samePolicyLists(a: WorkloadPolicies, b: WorkloadPolicies): boolean {
    return this.same(a.allow, b.allow) && this.same(a.deny, b.deny) && this.same(a.custom, b.custom)
      && this.same(a.audit, b.audit) && this.same(a.dryRun, b.dryRun);
  }

  /**
   * diff15: whether two versions' declared ports compare the same as part of their inputs (where
   * `ports` is left out of an input without them).
   */
  public samePorts(a: readonly DeclaredPort[] | undefined, b: readonly DeclaredPort[] | undefined): boolean {
    if (!a || !b) return !a && !b;
    return this.same(a, b);
  }

  private same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
      if ((typeof a === 'object' && a !== null) || (typeof b === 'object' && b !== null)) return false;
      // Different scalars: equal only where JSON writes them alike (NaN and null, undefined and a function).
      return JSON.stringify(a) === JSON.stringify(b);
    }
    const ra = resourceOf(a);
    const rb = resourceOf(b);
    if (ra !== undefined || rb !== undefined) return ra !== undefined && rb !== undefined && this.sameResource(ra, rb);
    if (a instanceof Map || b instanceof Map) {
      return a instanceof Map && b instanceof Map && this.same([...a.entries()], [...b.entries()]);
    }
    if (a instanceof Set || b instanceof Set) {
      return a instanceof Set && b instanceof Set && this.same([...a.values()], [...b.values()]);
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) {
        const x: unknown = a[i];
        const y: unknown = b[i];
        if (omitted(x) && omitted(y)) continue;
        if (!this.same(omitted(x) ? null : x, omitted(y) ? null : y)) return false;
      }
      return true;
    }
    return this.remembered(this.records, a, b, () => this.sameRecord(a as Record<string, unknown>, b as Record<string, unknown>));
  }

  /** Two records, their keys JSON writes (values not {@link omitted}) pairwise in order (diff14: no filtered key lists built). */
  private sameRecord(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    let i = 0;
    let j = 0;
    for (;;) {
      while (i < ka.length && omitted(a[ka[i]])) i++;
      while (j < kb.length && omitted(b[kb[j]])) j++;
      if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
      if (ka[i] !== kb[j] || !this.same(a[ka[i]], b[kb[j]])) return false;
      i++;
      j++;
    }
  }

  /** The answer for a pair, computed once. */
  private remembered(memo: Map<object, Map<object, boolean>>, a: object, b: object, compute: () => boolean): boolean {
    let seen = memo.get(a);
    let answer = seen?.get(b);
    if (answer === undefined) {
      answer = compute();
      if (!seen) {
        seen = new Map();
        memo.set(a, seen);
      }
      seen.set(b, answer);
    }
    return answer;
  }

  private sameResource(a: ContentOf, b: ContentOf): boolean {
    if (a === b) return true;
    return this.remembered(this.resources, a, b, () => sameLoadedObject(a, b));
  }
}

