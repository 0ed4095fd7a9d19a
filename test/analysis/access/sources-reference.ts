/**
 * The test oracle of `sources.ts`: the rows of the access matrix as they were found before diffeval
 * (every reference turned into its id string and looked up; sort keys split at each comparison).
 *
 * @module
 */
import { MatrixSource, MatrixSourceKind } from '../../../src/analysis/access/sources';
import { AuthorizationSource } from '../../../src/analysis/config/istio-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { AnalysisContext } from '../../../src/analysis/evaluator/analysis-context';
import { CLUSTER_LOCAL } from '../../../src/analysis/evaluator/trust-domain';
import { formatPrincipal } from '../../../src/semantics/principal';
/** The service account name that stands for "an identity no manifest names". */
const OTHER_SERVICE_ACCOUNT = '~other';
/** The namespace that stands for "a namespace no manifest names". */
const OTHER_NAMESPACE = '~other';

const KIND_RANK: Readonly<Record<MatrixSourceKind, number>> = {
  serviceAccount: 0, namespace: 0, principal: 1, trustDomain: 2, plaintext: 3, other: 4,
};

/** The rows for one or more versions of the manifests (the union, sorted). */
export function referenceSources(contexts: readonly AnalysisContext[]): MatrixSource[] {
  const configs = contexts.map((c) => c.config);
  const mesh = contexts[0]?.mesh ?? DEFAULT_MESH_CONFIG;
  const rows = new Map<string, MatrixSource>();
  const td = mesh.trustDomain;
  const ours = new Set([CLUSTER_LOCAL, td, ...mesh.trustDomainAliases]);
  const addAccount = (ns: string, sa: string): void => {
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
  const addServiceAccountRef = (raw: string, policyNamespace: string): void => {
    const parts = raw.split('/');
    if (parts.length === 2) addAccount(parts[0], parts[1]);
    else if (parts.length === 1) addAccount(policyNamespace, raw);
  };

  for (const config of configs) {
    for (const w of config.workloads) addAccount(w.metadata.namespace, w.serviceAccountName);
    for (const sa of config.serviceAccounts) addAccount(sa.metadata.namespace, sa.metadata.name);
    for (const ap of config.authorizationPolicies) {
      const ns = ap.metadata.namespace;
      for (const rule of ap.spec.rules) {
        if (!rule) continue;
        for (const from of rule.from ?? []) {
          const s: AuthorizationSource = from.source ?? {};
          [...(s.principals ?? []), ...(s.notPrincipals ?? [])].forEach(addPrincipal);
          [...(s.serviceAccounts ?? []), ...(s.notServiceAccounts ?? [])].forEach((x) => addServiceAccountRef(x, ns));
          [...(s.namespaces ?? []), ...(s.notNamespaces ?? [])].forEach(addNamespacePattern);
          [...(s.trustDomains ?? []), ...(s.notTrustDomains ?? [])].forEach(addTrustDomain);
        }
        for (const when of rule.when ?? []) {
          const values = [...(when.values ?? []), ...(when.notValues ?? [])];
          if (when.key === 'source.principal') values.forEach(addPrincipal);
          else if (when.key === 'source.serviceAccount') values.forEach((x) => addServiceAccountRef(x, ns));
          else if (when.key === 'source.namespace') values.forEach(addNamespacePattern);
          else if (when.key === 'source.trustDomain') values.forEach(addTrustDomain);
        }
      }
    }
  }
  rows.set('plaintext', { id: 'plaintext', kind: 'plaintext', principal: null, description: 'plaintext (no mTLS, no peer identity)' });
  rows.set('*', {
    id: '*', kind: 'other', principal: formatPrincipal(td, OTHER_NAMESPACE, OTHER_SERVICE_ACCOUNT), description: 'any other mesh identity',
  });
  return [...rows.values()].sort(compareSources);
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

function compareSources(a: MatrixSource, b: MatrixSource): number {
  const ka = KIND_RANK[a.kind];
  const kb = KIND_RANK[b.kind];
  if (ka !== kb) return ka - kb;
  // Within a namespace, named accounts first, then "any other identity".
  const [na, sa] = splitId(a.id);
  const [nb, sb] = splitId(b.id);
  if (na !== nb) return na < nb ? -1 : 1;
  if ((sa === '*') !== (sb === '*')) return sa === '*' ? 1 : -1;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function splitId(id: string): [string, string] {
  const i = id.lastIndexOf('/');
  return i < 0 ? [id, ''] : [id.slice(0, i), id.slice(i + 1)];
}
