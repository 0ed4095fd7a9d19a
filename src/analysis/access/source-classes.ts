/**
 * Source classes: the matrix rows that one destination's policies cannot tell apart.
 *
 * A destination's policies test the peer identity through a few matchers (`principals`,
 * `namespaces`, `serviceAccounts`, `trustDomains`, `source.*` conditions). Rows that match the same
 * matchers get the same decisions, so each destination is evaluated once per class, not once per
 * row — with 1,000 identities, most destinations see three or four classes. Which rows a matcher
 * matches is computed once per distinct matcher and shared by all destinations.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { probeRequest } from './request-class-witnesses';
import { constraintTarget, decisivePolicies, ruleConstraints } from './request-classes';
import { MeshConfig } from '../config/mesh-config';
import { FieldConstraint } from '../evaluator/authorization-rule';
import { ValueMatcher } from '../evaluator/conditions';
import { WorkloadPolicies } from '../evaluator/policy-index';
import { RequestAttributes } from '../evaluator/request-attributes';

/** Rows with the same answers to every identity matcher of a destination. */
export interface SourceClass {
  /** Row indexes, ascending. */
  readonly rows: readonly number[];
  /** The representative peer principal; `null` for plaintext. */
  readonly principal: string | null;
  /** Sorted ids of the matchers the class matches (plus `plaintext`), for lookups. */
  readonly vector: string;
}

/** The source classes of one destination, and how to place any principal in them. */
export interface SourceClassification {
  readonly classes: readonly SourceClass[];
  /** The class of an arbitrary principal, or undefined when it behaves like no row. */
  classOf(principal: string | null): number | undefined;
}

interface MatcherRef {
  readonly id: string;
  readonly matcher: ValueMatcher;
  /** perf5: the identity index key of the rows it matches (`sa:`, `ns:`, `p:`), when it tests one exactly. */
  readonly key?: string;
}

/** Shared state: the rows' request attributes and, per distinct matcher, the rows it matches. */
export class SourceClassifier {
  private readonly attrs: (RequestAttributes | undefined)[];
  private readonly matched = new Map<string, readonly number[]>();
  /**
   * perf5: rows by identity key (see {@link RequestAttributes.identityKeys}), ascending, and the
   * rows whose principal has no keys (not canonical): an exact matcher finds its rows by one
   * lookup instead of testing every row of the mesh.
   */
  private readonly rowsByKey = new Map<string, number[]>();
  private readonly unkeyed: number[] = [];

  /** @param principals one per row; `null` is the plaintext row. */
  public constructor(private readonly principals: readonly (string | null)[], private readonly mesh: MeshConfig) {
    const base = probeRequest({ namespace: '', labels: {}, port: 80 });
    this.attrs = principals.map((p) => (p === null ? undefined : new RequestAttributes(base, mesh, p, undefined)));
    this.attrs.forEach((a, row) => {
      if (a === undefined) return;
      const keys = a.identityKeys;
      if (keys === undefined) {
        this.unkeyed.push(row);
        return;
      }
      for (const k of keys) {
        const list = this.rowsByKey.get(k);
        if (list) list.push(row);
        else this.rowsByKey.set(k, [row]);
      }
    });
  }

  /** Classes of the rows for one destination, from the policies of each version. */
  public classify(versions: readonly (WorkloadPolicies | undefined)[]): SourceClassification {
    const refs = this.matchersOf(versions);
    const vectors = new Map<number, string[]>();
    for (const ref of refs) {
      for (const row of this.rowsMatching(ref)) {
        const list = vectors.get(row) ?? [];
        list.push(ref.id);
        vectors.set(row, list);
      }
    }
    // Most rows match nothing: only matched rows get a key; one pass files every row in order.
    const principals = this.principals;
    const classOfRow = new Int32Array(principals.length).fill(-1);
    const found: { rows: number[]; principal: string | null; vector: string }[] = [];
    const byVector = new Map<string, number>();
    const classFor = (vector: string, principal: string | null): number => {
      let i = byVector.get(vector);
      if (i === undefined) {
        i = found.length;
        found.push({ rows: [], principal, vector });
        byVector.set(vector, i);
      }
      return i;
    };
    for (const [row, ids] of vectors) if (principals[row] !== null) classOfRow[row] = classFor(ids.join('\u0001'), principals[row]);
    for (let row = 0; row < principals.length; row++) {
      let c = classOfRow[row];
      if (c < 0) c = principals[row] === null ? classFor('plaintext', null) : classFor('', principals[row]);
      found[c].rows.push(row);
    }
    // Classes in the order of their first row, whatever order they were found in.
    const classes: SourceClass[] = found.filter((c) => c.rows.length > 0).sort((a, b) => a.rows[0] - b.rows[0])
      .map((c) => ({ ...c, principal: principals[c.rows[0]] }));
    const index = new Map(classes.map((c, i) => [c.vector, i]));
    const base = probeRequest({ namespace: '', labels: {}, port: 80 });
    return {
      classes,
      classOf: (principal) => {
        if (principal === null) return index.get('plaintext');
        const attrs = new RequestAttributes(base, this.mesh, principal, undefined);
        return index.get(refs.filter((r) => r.matcher.test(attrs)).map((r) => r.id).join('\u0001'));
      },
    };
  }

  private matchersOf(versions: readonly (WorkloadPolicies | undefined)[]): MatcherRef[] {
    const refs = new Map<string, MatcherRef>();
    for (const wp of versions) {
      if (!wp) continue;
      const { deny, allow } = decisivePolicies(wp, this.mesh);
      for (const policy of [...deny, ...allow]) {
        for (const rule of [...policy.http.rules, ...policy.tcp.rules]) {
          for (const c of ruleConstraints(rule)) {
            if (constraintTarget(c.attribute.key).type !== 'principal') continue;
            for (const m of matchersOfConstraint(c)) {
              // `serviceAccounts: [sa]` means the policy's namespace, so the namespace is part of the identity.
              const scope = c.attribute.key === 'source.serviceAccount' ? policy.namespace : '';
              const id = `${c.attribute.key}\u0000${scope}\u0000${m.raw}`;
              if (!refs.has(id)) {
                const key = exactKey(c.attribute.key, policy.namespace, m.raw);
                refs.set(id, key === undefined ? { id, matcher: m } : { id, matcher: m, key });
              }
            }
          }
        }
      }
    }
    return [...refs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private rowsMatching(ref: MatcherRef): readonly number[] {
    const hit = this.matched.get(ref.id);
    if (hit) return hit;
    let rows: number[] = [];
    if (ref.key !== undefined) {
      // The keyed rows the matcher matches, plus those of the unkeyed rows it matches, in row order.
      const keyed = this.rowsByKey.get(ref.key) ?? [];
      const odd = this.unkeyed.filter((row) => ref.matcher.test(this.attrs[row]!));
      rows = odd.length === 0 ? keyed : [...keyed, ...odd].sort((a, b) => a - b);
    } else {
      this.attrs.forEach((a, row) => {
        if (a !== undefined && ref.matcher.test(a)) rows.push(row);
      });
    }
    this.matched.set(ref.id, rows);
    return rows;
  }
}

/**
 * The identity key of the rows an exact identity matcher matches (the keys the evaluator's rule
 * index uses, authorization-rule.ts `identityKeysOf`); undefined for wildcards and other attributes.
 */
function exactKey(attribute: string, policyNamespace: string, raw: string): string | undefined {
  if (raw.includes('*')) return undefined;
  switch (attribute) {
    case 'source.serviceAccount':
      return raw.includes('/') ? `sa:${raw}` : `sa:${policyNamespace}/${raw}`;
    case 'source.namespace':
      return raw.includes('/') ? undefined : `ns:${raw}`;
    case 'source.principal':
      return `p:${raw}`;
    default:
      return undefined;
  }
}

function matchersOfConstraint(c: FieldConstraint): readonly ValueMatcher[] {
  return [...(c.values ?? []), ...(c.notValues ?? [])];
}
