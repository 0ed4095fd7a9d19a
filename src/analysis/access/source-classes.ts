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
}

/** Shared state: the rows' request attributes and, per distinct matcher, the rows it matches. */
export class SourceClassifier {
  private readonly attrs: (RequestAttributes | undefined)[];
  private readonly matched = new Map<string, readonly number[]>();

  /** @param principals one per row; `null` is the plaintext row. */
  public constructor(private readonly principals: readonly (string | null)[], private readonly mesh: MeshConfig) {
    const base = probeRequest({ namespace: '', labels: {}, port: 80 });
    this.attrs = principals.map((p) => (p === null ? undefined : new RequestAttributes(base, mesh, p, undefined)));
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
              if (!refs.has(id)) refs.set(id, { id, matcher: m });
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
    const rows: number[] = [];
    this.attrs.forEach((a, row) => {
      if (a !== undefined && ref.matcher.test(a)) rows.push(row);
    });
    this.matched.set(ref.id, rows);
    return rows;
  }
}

function matchersOfConstraint(c: FieldConstraint): readonly ValueMatcher[] {
  return [...(c.values ?? []), ...(c.notValues ?? [])];
}
