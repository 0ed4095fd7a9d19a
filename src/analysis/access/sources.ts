/**
 * The rows of the access matrix: the source identities worth a row.
 *
 * - every service account of a workload, every ServiceAccount object, and every service account or
 *   principal a policy names (`serviceAccounts`, `principals`, `source.principal` /
 *   `source.serviceAccount` conditions);
 * - for each namespace a policy names (`namespaces`, `source.namespace`), "any other identity in"
 *   that namespace, represented by a service account no manifest uses; likewise for principal
 *   patterns (`cluster.local/ns/foo/*`) and foreign trust domains;
 * - `plaintext` (no mTLS, no peer identity) and `*`, any other mesh identity.
 *
 * @module
 */
import { PolicyChanges } from './policy-changes';
import { formatPrincipal } from '../../semantics/principal';
import { AuthorizationSource } from '../config/istio-config';
import { DEFAULT_MESH_CONFIG } from '../config/mesh-config';
import { AnalysisContext } from '../evaluator/analysis-context';
import { CLUSTER_LOCAL } from '../evaluator/trust-domain';

/** What a row stands for. */
export type MatrixSourceKind = 'serviceAccount' | 'namespace' | 'principal' | 'trustDomain' | 'plaintext' | 'other';

/** One row. */
export interface MatrixSource {
  /** `ns/sa`, `ns/*`, a foreign principal, `<trust-domain>/*`, `plaintext` or `*`. */
  readonly id: string;
  readonly kind: MatrixSourceKind;
  /** The peer principal the row is evaluated with (a representative for `ns/*`, `*`); `null` for plaintext. */
  readonly principal: string | null;
  /** Words for the row. */
  readonly description: string;
}

/** The service account name that stands for "an identity no manifest names". */
const OTHER_SERVICE_ACCOUNT = '~other';
/** The namespace that stands for "a namespace no manifest names". */
const OTHER_NAMESPACE = '~other';

const KIND_RANK: Readonly<Record<MatrixSourceKind, number>> = {
  serviceAccount: 0, namespace: 0, principal: 1, trustDomain: 2, plaintext: 3, other: 4,
};

/**
 * The rows for one or more versions of the manifests (the union, sorted).
 *
 * @param changes the objects that differ between the first version and the others (computed when not given)
 */
export function matrixSources(contexts: readonly AnalysisContext[], changes?: PolicyChanges): MatrixSource[] {
  const configs = contexts.map((c) => c.config);
  const mesh = contexts[0]?.mesh ?? DEFAULT_MESH_CONFIG;
  const rows = new Map<string, MatrixSource>();
  const td = mesh.trustDomain;
  const ours = new Set([CLUSTER_LOCAL, td, ...mesh.trustDomainAliases]);
  // diffeval: the accounts seen, by namespace then name: a repeated reference (the two versions of a
  // diff name mostly the same ones) costs two lookups, not a new id string.
  const seenAccounts = new Map<string, Set<string>>();
  const addAccount = (ns: string, sa: string): void => {
    let seen = seenAccounts.get(ns);
    if (!seen) {
      seen = new Set();
      seenAccounts.set(ns, seen);
    }
    if (seen.has(sa)) return;
    seen.add(sa);
    if (ns === '' || sa === '' || ns.includes('*') || sa.includes('*')) return;
    const id = `${ns}/${sa}`;
    if (!rows.has(id)) rows.set(id, { id, kind: 'serviceAccount', principal: formatPrincipal(td, ns, sa), description: `service account ${sa} in ${ns}` });
  };
  const addNamespace = (ns: string, pattern = ns): void => {
    if (ns === '') return;
    const id = `${pattern}/*`;
    if (!rows.has(id)) {
      rows.set(id, {
        id,
        kind: 'namespace',
        principal: formatPrincipal(td, ns, OTHER_SERVICE_ACCOUNT),
        description: `any other identity in namespace ${pattern}`,
      });
    }
  };
  const addPrincipal = (raw: string): void => {
    if (raw === '' || raw === '*') return;
    const parts = raw.split('/');
    const wildcard = raw.includes('*');
    if (!wildcard && parts.length === 5 && parts[1] === 'ns' && parts[3] === 'sa') {
      if (ours.has(parts[0])) addAccount(parts[2], parts[4]);
      else if (!rows.has(raw)) rows.set(raw, { id: raw, kind: 'principal', principal: raw, description: `peer ${raw}` });
      return;
    }
    if (!wildcard) {
      if (!rows.has(raw)) rows.set(raw, { id: raw, kind: 'principal', principal: raw, description: `peer ${raw}` });
      return;
    }
    // A pattern: one representative that matches it and nothing more specific.
    const witness = principalWitness(raw, td);
    const w = witness.split('/');
    if (w.length === 5 && w[1] === 'ns' && w[3] === 'sa' && ours.has(w[0]) && !w[2].includes(OTHER_NAMESPACE)) {
      if (w[4] === OTHER_SERVICE_ACCOUNT) addNamespace(w[2]);
      else addAccount(w[2], w[4]);
      return;
    }
    if (!rows.has(raw)) rows.set(raw, { id: raw, kind: 'principal', principal: witness, description: `any peer matching ${raw}` });
  };
  const addTrustDomain = (raw: string): void => {
    if (raw === '' || raw.includes('*') || ours.has(raw)) return;
    const id = `${raw}/*`;
    if (!rows.has(id)) {
      rows.set(id, {
        id, kind: 'trustDomain', principal: formatPrincipal(raw, OTHER_NAMESPACE, OTHER_SERVICE_ACCOUNT), description: `any identity of trust domain ${raw}`,
      });
    }
  };
  const addNamespacePattern = (raw: string): void => {
    if (raw === '' || raw === '*') return;
    if (!raw.includes('*')) return addNamespace(raw);
    addNamespace(raw.replace(/\*/g, OTHER_NAMESPACE), raw);
  };
  const qualifiedRefs = new Set<string>();
  const addServiceAccountRef = (raw: string, policyNamespace: string): void => {
    const slash = raw.indexOf('/');
    if (slash < 0) {
      addAccount(policyNamespace, raw);
      return;
    }
    // `ns/sa` names the same account whatever the policy's namespace.
    if (qualifiedRefs.has(raw)) return;
    qualifiedRefs.add(raw);
    if (raw.indexOf('/', slash + 1) < 0) addAccount(raw.slice(0, slash), raw.slice(slash + 1));
  };

  // diff14: a later version's policy with the same content as one of the first version names the
  // same rows, added already (the first version is read first): it is not read again. diff16: the
  // pairing of the diff's policy changes says which (the diff computes it anyway).
  const known = configs.length > 1 ? changes ?? PolicyChanges.of(configs, mesh.rootNamespace) : undefined;
  for (let v = 0; v < configs.length; v++) {
    const config = configs[v];
    for (const w of config.workloads) addAccount(w.metadata.namespace, w.serviceAccountName);
    for (const sa of config.serviceAccounts) addAccount(sa.metadata.namespace, sa.metadata.name);
    const policies = config.authorizationPolicies;
    for (let i = 0; i < policies.length; i++) {
      if (v > 0 && known?.samePolicyAsFirst(v, i)) continue;
      const ap = policies[i];
      const ns = ap.metadata.namespace;
      for (const rule of ap.spec.rules) {
        if (!rule) continue;
        for (const from of rule.from ?? []) {
          const s: AuthorizationSource = from.source ?? {};
          // diff15: most sources name only service accounts (57,609 of 68,439 at S=8,000): read
          // that one field, not the eight (with one field, the order of the fields, which decides
          // the words of a row two fields would both add, does not matter).
          const only = onlyKey(s);
          if (only === 'serviceAccounts') {
            for (const x of s.serviceAccounts ?? []) addServiceAccountRef(x, ns);
            continue;
          }
          for (const x of s.principals ?? []) addPrincipal(x);
          for (const x of s.notPrincipals ?? []) addPrincipal(x);
          for (const x of s.serviceAccounts ?? []) addServiceAccountRef(x, ns);
          for (const x of s.notServiceAccounts ?? []) addServiceAccountRef(x, ns);
          for (const x of s.namespaces ?? []) addNamespacePattern(x);
          for (const x of s.notNamespaces ?? []) addNamespacePattern(x);
          for (const x of s.trustDomains ?? []) addTrustDomain(x);
          for (const x of s.notTrustDomains ?? []) addTrustDomain(x);
        }
        for (const when of rule.when ?? []) {
          const add = when.key === 'source.principal' ? addPrincipal
            : when.key === 'source.serviceAccount' ? (x: string): void => addServiceAccountRef(x, ns)
              : when.key === 'source.namespace' ? addNamespacePattern
                : when.key === 'source.trustDomain' ? addTrustDomain : undefined;
          if (!add) continue;
          for (const x of when.values ?? []) add(x);
          for (const x of when.notValues ?? []) add(x);
        }
      }
    }
  }
  rows.set('plaintext', { id: 'plaintext', kind: 'plaintext', principal: null, description: 'plaintext (no mTLS, no peer identity)' });
  rows.set('*', {
    id: '*', kind: 'other', principal: formatPrincipal(td, OTHER_NAMESPACE, OTHER_SERVICE_ACCOUNT), description: 'any other mesh identity',
  });
  // diffeval: each row's sort key is split once, not at every comparison.
  return [...rows.values()].map(sortKey).sort(compareKeys).map((k) => k.source);
}

/** The key of a record's one own field (its value not undefined); undefined when it has none or several. */
function onlyKey(record: object): string | undefined {
  let only: string | undefined;
  for (const k in record) {
    if (only !== undefined) return undefined;
    only = k;
  }
  return only !== undefined && (record as Record<string, unknown>)[only] !== undefined ? only : undefined;
}

interface SortKey {
  readonly source: MatrixSource;
  readonly rank: number;
  readonly namespace: string;
  readonly name: string;
}

function sortKey(source: MatrixSource): SortKey {
  const [namespace, name] = splitId(source.id);
  return { source, rank: KIND_RANK[source.kind], namespace, name };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  // Within a namespace, named accounts first, then "any other identity".
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if ((a.name === '*') !== (b.name === '*')) return a.name === '*' ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A principal matching a prefix (`a/ns/b/*`) or suffix (`*` then `/ns/b/sa/c`) pattern, SPIFFE-shaped when possible. */
function principalWitness(raw: string, td: string): string {
  if (raw.endsWith('*')) {
    const prefix = raw.slice(0, -1);
    const tails = [OTHER_SERVICE_ACCOUNT, `sa/${OTHER_SERVICE_ACCOUNT}`, `/sa/${OTHER_SERVICE_ACCOUNT}`, `${OTHER_NAMESPACE}/sa/${OTHER_SERVICE_ACCOUNT}`,
      `ns/${OTHER_NAMESPACE}/sa/${OTHER_SERVICE_ACCOUNT}`, `/ns/${OTHER_NAMESPACE}/sa/${OTHER_SERVICE_ACCOUNT}`];
    for (const tail of tails) {
      const p = `${prefix}${tail}`.split('/');
      if (p.length === 5 && p[1] === 'ns' && p[3] === 'sa' && p.every((x) => x !== '')) return p.join('/');
    }
    return `${prefix}${OTHER_SERVICE_ACCOUNT}`;
  }
  const suffix = raw.slice(1);
  for (const head of [td, `${td}/`, `${td}/ns`, `${td}/ns/`, `${td}/ns/${OTHER_NAMESPACE}`, `${td}/ns/${OTHER_NAMESPACE}/`, `${td}/ns/${OTHER_NAMESPACE}/sa`, `${td}/ns/${OTHER_NAMESPACE}/sa/`]) {
    const p = `${head}${suffix}`.split('/');
    if (p.length === 5 && p[1] === 'ns' && p[3] === 'sa' && p.every((x) => x !== '')) return p.join('/');
  }
  return `${OTHER_NAMESPACE}${suffix}`;
}

function splitId(id: string): [string, string] {
  const i = id.lastIndexOf('/');
  return i < 0 ? [id, ''] : [id.slice(0, i), id.slice(i + 1)];
}
