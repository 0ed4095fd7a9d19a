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
import { CompiledRule, FieldConstraint } from '../evaluator/authorization-rule';
import { ValueMatcher } from '../evaluator/conditions';
import { WorkloadPolicies } from '../evaluator/policy-index';
import { RequestAttributes } from '../evaluator/request-attributes';

/** Rows with the same answers to every identity matcher of a destination. */
export interface SourceClass {
  /** perf7: the class's first row (its rows are {@link SourceClassification.rows}). */
  readonly first: number;
  /** perf7: how many rows the class has. */
  readonly size: number;
  /** The representative peer principal; `null` for plaintext. */
  readonly principal: string | null;
  /** Sorted ids of the matchers the class matches (plus `plaintext`), for lookups. */
  readonly vector: string;
}

/**
 * The source classes of one destination, and how to place any principal in them.
 *
 * perf7: the rows are held sparsely — the few rows some matcher of the destination matches (and
 * plaintext) with their class, and one class for all the other rows ("the rest") — so that
 * classifying a destination costs what its policies name, not the number of rows of the mesh.
 */
export interface SourceClassification {
  readonly classes: readonly SourceClass[];
  /** The number of rows of the analysis. */
  readonly rowCount: number;
  /** The class of the rows no matcher matches (the rest), or -1 when there is none. */
  readonly rest: number;
  /** The class of a row. */
  classOfRow(row: number): number;
  /** The rows of a class, ascending (for the rest class, O(rows of the mesh)). */
  rows(cls: number): Int32Array;
  /** The class of every row, `[row]` (O(rows of the mesh)). */
  classOfRows(): Int32Array;
  /** The class of an arbitrary principal, or undefined when it behaves like no row. */
  classOf(principal: string | null): number | undefined;
}

/**
 * One distinct identity matcher (by id) of a classifier. diff16: one object per id, shared by every
 * rule that names it, which carries its rows and a mark: a destination's matchers are deduplicated
 * and their rows found without a lookup by id string per destination.
 */
interface MatcherRef {
  readonly id: string;
  readonly matcher: ValueMatcher;
  /** perf5: the identity index key of the rows it matches (`sa:`, `ns:`, `p:`), when it tests one exactly. */
  readonly key: string | undefined;
  /** The rows it matches, ascending, once computed. */
  rows: readonly number[] | undefined;
  /** The number of the last classification that took it (see {@link SourceClassifier.matchersOf}). */
  mark: number;
}

/** Shared state: the rows' request attributes and, per distinct matcher, the rows it matches. */
export class SourceClassifier {
  private readonly attrs: (RequestAttributes | undefined)[];
  /**
   * diff16: the matchers (see {@link MatcherRef}) by attribute key, scope and value as written: found
   * without building their id string per rule (it is built once per matcher).
   */
  private readonly refsByParts = new Map<string, Map<string, Map<string, MatcherRef>>>();
  /** The same matchers by id (looked up once per matcher). */
  private readonly refsById = new Map<string, MatcherRef>();
  /** diff16: how many classifications have taken matchers (the marks of {@link MatcherRef}). */
  private classifications = 0;
  private readonly byRule = new WeakMap<CompiledRule, { readonly namespace: string; readonly refs: readonly MatcherRef[] }>();
  /**
   * perf5: rows by identity key (see {@link RequestAttributes.identityKeys}), ascending, and the
   * rows whose principal has no keys (not canonical): an exact matcher finds its rows by one
   * lookup instead of testing every row of the mesh.
   */
  private readonly rowsByKey = new Map<string, number[]>();
  private readonly unkeyed: number[] = [];
  /** perf7: the rows without a principal (plaintext), ascending. */
  private readonly plaintextRows: number[] = [];
  private readonly base = probeRequest({ namespace: '', labels: {}, port: 80 });
  /** perf7: per row, its state while a destination is classified (0 between destinations). */
  private readonly scratch: Int32Array;

  /** @param principals one per row; `null` is the plaintext row. */
  public constructor(private readonly principals: readonly (string | null)[], private readonly mesh: MeshConfig) {
    this.scratch = new Int32Array(principals.length);
    this.attrs = principals.map((p) => (p === null ? undefined : new RequestAttributes(this.base, mesh, p, undefined)));
    this.attrs.forEach((a, row) => {
      if (a === undefined) {
        this.plaintextRows.push(row);
        return;
      }
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
    // perf7: each matched row walks a small automaton: its state is the set of matchers that match
    // it so far (refs are taken in order, so equal sets reach equal states), kept in a scratch array
    // shared by all destinations and reset after. No per-row lists or strings.
    const principals = this.principals;
    const state = this.scratch;
    const paths: string[][] = [[]];
    // diff16: the steps from the start state (most: a matcher of one account meets its row first) in
    // an array by matcher, the others in a map (states are numbered from 1: 0 is "no step yet").
    const fromStart = new Int32Array(refs.length);
    const next = new Map<number, number>();
    const touched: number[] = [];
    refs.forEach((ref, ri) => {
      // diffeval: the rows of a matcher mostly come in one state (a namespace's accounts, matched
      // by the same matchers so far): the step of the previous row is reused without a lookup.
      let lastState = -1;
      let lastNext = 0;
      for (const row of this.rowsMatching(ref)) {
        const s = state[row];
        if (s === 0) touched.push(row);
        if (s !== lastState) {
          const key = s * refs.length + ri;
          let t = s === 0 ? fromStart[ri] || undefined : next.get(key);
          if (t === undefined) {
            t = paths.length;
            paths.push([...paths[s], ref.id]);
            if (s === 0) fromStart[ri] = t;
            else next.set(key, t);
          }
          lastState = s;
          lastNext = t;
        }
        state[row] = lastNext;
      }
    });
    // Only the matched rows and the plaintext rows are filed one by one ("explicit", in row order);
    // every other row is in the rest class, whose first row is the first one not explicit.
    const explicitRows = new Int32Array(this.plaintextRows.length + touched.length);
    explicitRows.set(this.plaintextRows);
    explicitRows.set(touched, this.plaintextRows.length);
    explicitRows.sort();
    const found: { first: number; size: number; principal: string | null; vector: string }[] = [];
    const newClass = (vector: string, row: number): number => {
      found.push({ first: row, size: 0, principal: principals[row], vector });
      return found.length - 1;
    };
    // Rows in one state are in one class. diff16: found by state, not by vector: the states' vectors
    // are distinct (a state's matchers are its path's, and two states have two paths; ids are
    // distinct and contain U+0000), and distinct from `plaintext` and from the rest's ''.
    const classOfState = new Int32Array(paths.length).fill(-1);
    let plaintext = -1;
    const explicitClass = new Int32Array(explicitRows.length);
    explicitRows.forEach((row, k) => {
      let i: number;
      if (principals[row] === null) {
        if (plaintext < 0) plaintext = newClass('plaintext', row);
        i = plaintext;
      } else {
        const s = state[row];
        i = classOfState[s];
        if (i < 0) {
          i = newClass(paths[s].join('\u0001'), row);
          classOfState[s] = i;
        }
      }
      found[i].size++;
      explicitClass[k] = i;
    });
    for (const row of touched) state[row] = 0;
    const restSize = principals.length - explicitRows.length;
    let restIndex = -1;
    if (restSize > 0) {
      let first = 0;
      for (let k = 0; k < explicitRows.length && explicitRows[k] === first; k++) first++;
      restIndex = found.length;
      found.push({ first, size: restSize, principal: principals[first], vector: '' });
    }
    // Classes in the order of their first row, whatever order they were found in.
    const order = found.map((_c, i) => i).sort((a, b) => found[a].first - found[b].first);
    const renumber = new Int32Array(found.length);
    order.forEach((old, i) => {
      renumber[old] = i;
    });
    const classes: SourceClass[] = order.map((i) => found[i]);
    for (let k = 0; k < explicitClass.length; k++) explicitClass[k] = renumber[explicitClass[k]];
    const rest = restIndex < 0 ? -1 : renumber[restIndex];
    return this.classification(classes, rest, explicitRows, explicitClass, refs);
  }

  /**
   * The classification's lookups. matrix10: built apart from {@link classify}, so that what a
   * matrix keeps per column is these arrays, not the classifying state (automaton paths, maps).
   */
  private classification(classes: readonly SourceClass[], rest: number, explicitRows: Int32Array, explicitClass: Int32Array,
    refs: readonly MatcherRef[]): SourceClassification {
    // diff16: the classes by vector, for classOf only (built on its first call).
    let index: Map<string, number> | undefined;
    const rowCount = this.principals.length;
    const base = this.base;
    const mesh = this.mesh;
    const classOfRow = (row: number): number => {
      // Binary search among the explicit rows.
      let lo = 0;
      let hi = explicitRows.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = explicitRows[mid];
        if (r === row) return explicitClass[mid];
        if (r < row) lo = mid + 1;
        else hi = mid - 1;
      }
      return rest;
    };
    return {
      classes,
      rowCount,
      rest,
      classOfRow,
      rows: (cls) => {
        const c = classes[cls];
        const out = new Int32Array(c.size);
        let n = 0;
        if (cls === rest) {
          let k = 0;
          for (let row = 0; row < rowCount; row++) {
            if (k < explicitRows.length && explicitRows[k] === row) k++;
            else out[n++] = row;
          }
        } else {
          for (let k = 0; k < explicitRows.length; k++) if (explicitClass[k] === cls) out[n++] = explicitRows[k];
        }
        return out;
      },
      classOfRows: () => {
        const out = new Int32Array(rowCount).fill(rest);
        for (let k = 0; k < explicitRows.length; k++) out[explicitRows[k]] = explicitClass[k];
        return out;
      },
      classOf: (principal) => {
        index ??= new Map(classes.map((c, i) => [c.vector, i]));
        if (principal === null) return index.get('plaintext');
        const attrs = new RequestAttributes(base, mesh, principal, undefined);
        return index.get(refs.filter((r) => r.matcher.test(attrs)).map((r) => r.id).join('\u0001'));
      },
    };
  }

  private matchersOf(versions: readonly (WorkloadPolicies | undefined)[]): MatcherRef[] {
    // diff16: a matcher is taken once, by its mark (one object per id: no map of ids per destination).
    const mark = ++this.classifications;
    const refs: MatcherRef[] = [];
    for (const wp of versions) {
      if (!wp) continue;
      const { deny, allow } = decisivePolicies(wp, this.mesh);
      for (const list of [deny, allow]) {
        for (const policy of list) {
          for (const rules of [policy.http.rules, policy.tcp.rules]) {
            for (const rule of rules) {
              for (const ref of this.ruleMatchers(rule, policy.namespace)) {
                if (ref.mark === mark) continue;
                ref.mark = mark;
                refs.push(ref);
              }
            }
          }
        }
      }
    }
    return refs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The identity matchers of one rule of a policy in `policyNamespace`, in the order of its
   * constraints. diffeval: found once per rule, which the destinations of a policy and the versions
   * of a diff (`shared-rules.ts`) share, not once per destination and version.
   */
  private ruleMatchers(rule: CompiledRule, policyNamespace: string): readonly MatcherRef[] {
    const known = this.byRule.get(rule);
    if (known && known.namespace === policyNamespace) return known.refs;
    const refs: MatcherRef[] = [];
    for (const c of ruleConstraints(rule)) {
      if (constraintTarget(c.attribute.key).type !== 'principal') continue;
      for (const m of matchersOfConstraint(c)) {
        // `serviceAccounts: [sa]` means the policy's namespace, so the namespace is part of the identity.
        const scope = c.attribute.key === 'source.serviceAccount' ? policyNamespace : '';
        refs.push(this.matcherRef(c.attribute.key, scope, policyNamespace, m));
      }
    }
    this.byRule.set(rule, { namespace: policyNamespace, refs });
    return refs;
  }

  /** The one matcher of an attribute key, scope and value (`m` stands for it when it is new). */
  private matcherRef(attribute: string, scope: string, policyNamespace: string, m: ValueMatcher): MatcherRef {
    let byScope = this.refsByParts.get(attribute);
    if (byScope === undefined) {
      byScope = new Map();
      this.refsByParts.set(attribute, byScope);
    }
    let byRaw = byScope.get(scope);
    if (byRaw === undefined) {
      byRaw = new Map();
      byScope.set(scope, byRaw);
    }
    let ref = byRaw.get(m.raw);
    if (ref === undefined) {
      const id = `${attribute}\u0000${scope}\u0000${m.raw}`;
      // Parts that read as the same id (a U+0000 in a value) are one matcher, as when refs were keyed by id.
      ref = this.refsById.get(id);
      if (ref === undefined) {
        ref = { id, matcher: m, key: exactKey(attribute, policyNamespace, m.raw), rows: undefined, mark: 0 };
        this.refsById.set(id, ref);
      }
      byRaw.set(m.raw, ref);
    }
    return ref;
  }

  private rowsMatching(ref: MatcherRef): readonly number[] {
    if (ref.rows !== undefined) return ref.rows;
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
    ref.rows = rows;
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
