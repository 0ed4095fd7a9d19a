/**
 * The proof of a conversion: the legacy input and the converted output are evaluated over the same
 * request space, and every request whose decision (allowed or not) differs is reported with both
 * explanations.
 *
 * The space is enumerated, not symbolic (the symbolic access engine reads compiled v1 policies
 * only): for every workload and each of its ports, HTTP and TCP, every source identity (each
 * workload's service account, every principal a legacy object names, an unrelated one, and
 * plaintext), every source IP a policy names, and on HTTP every method, path, host, header and
 * token (none, invalid, one per issuer and per claim value named in either input) that appears in
 * either input, with one value no policy names for each.
 *
 * @module
 */
import { AccessDecision, AccessRequest, RequestJwt } from '../../semantics/access-request';
import { IstioConfig } from '../config/istio-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../config/mesh-config';
import { createEvaluator } from '../evaluator/evaluate';

/** One request decided differently. */
export interface ConversionDifference {
  readonly request: AccessRequest;
  readonly legacy: AccessDecision;
  readonly converted: AccessDecision;
}

/** The result of {@link proveConversion}. */
export interface ConversionProof {
  /** Requests evaluated. */
  readonly requests: number;
  /** Requests whose allowed/denied decision differs. */
  readonly differences: readonly ConversionDifference[];
  /** Requests whose denial changed only its status (e.g. 401 → 403), counted, not differences. */
  readonly statusChanges: number;
}

/** Evaluates both configs over the shared request space. */
export function proveConversion(legacy: IstioConfig, converted: IstioConfig, mesh: MeshConfig = DEFAULT_MESH_CONFIG): ConversionProof {
  const before = createEvaluator(legacy, mesh, { allowInvalidConfig: true });
  const after = createEvaluator(converted, mesh, { allowInvalidConfig: true });
  const differences: ConversionDifference[] = [];
  let requests = 0;
  let statusChanges = 0;
  for (const request of requestSpace(legacy, converted, mesh)) {
    requests++;
    const a = before.evaluate(request);
    const b = after.evaluate(request);
    if (a.allowed !== b.allowed) differences.push({ request, legacy: a, converted: b });
    else if (a.outcome !== b.outcome) statusChanges++;
  }
  return { requests, differences, statusChanges };
}

/** The values the two inputs name, with one value no policy names. */
interface Space {
  principals: Set<string>;
  ips: Set<string>;
  methods: Set<string>;
  paths: Set<string>;
  hosts: Set<string | undefined>;
  headers: Map<string, Set<string>>;
  tokens: Map<string, RequestJwt | null>;
}

/** Every request of the shared space (a generator: the space can be large). */
export function* requestSpace(legacy: IstioConfig, converted: IstioConfig, mesh: MeshConfig = DEFAULT_MESH_CONFIG): Generator<AccessRequest> {
  const space = collect([legacy, converted], mesh);
  const destinations = new Map<string, { namespace: string; labels: Record<string, string>; ports: Set<number> }>();
  for (const w of legacy.workloads) {
    if (Object.keys(w.podLabels).length === 0) continue;
    const key = `${w.metadata.namespace}/${JSON.stringify(Object.entries(w.podLabels).sort())}`;
    const d = destinations.get(key) ?? { namespace: w.metadata.namespace, labels: { ...w.podLabels }, ports: new Set<number>() };
    w.ports.forEach((p) => d.ports.add(p.containerPort));
    for (const s of legacy.services) {
      if (s.metadata.namespace !== w.metadata.namespace || Object.keys(s.selector).length === 0) continue;
      if (!Object.entries(s.selector).every(([k, v]) => w.podLabels[k] === v)) continue;
      s.ports.forEach((p) => { if (typeof p.targetPort === 'number') d.ports.add(p.targetPort); });
    }
    if (d.ports.size === 0) d.ports.add(80);
    destinations.set(key, d);
  }
  const sorted = [...destinations.keys()].sort();
  const principals: (string | null)[] = [null, ...[...space.principals].sort()];
  for (const key of sorted) {
    const d = destinations.get(key);
    if (!d) continue;
    for (const port of [...d.ports].sort((a, b) => a - b)) {
      const destination = { namespace: d.namespace, labels: d.labels, port };
      for (const principal of principals) {
        for (const ip of [...space.ips].sort()) {
          const source = { principal, namespace: principal ? /\/ns\/([^/]+)\//.exec(principal)?.[1] ?? null : null, ip };
          yield { protocol: 'TCP', source, jwt: null, destination };
          for (const method of [...space.methods].sort()) {
            for (const path of [...space.paths].sort()) {
              for (const host of space.hosts) {
                for (const headers of headerCombos(space.headers)) {
                  for (const jwt of space.tokens.values()) {
                    yield { protocol: 'HTTP', source, jwt, destination, method, path, ...(host ? { host } : {}), ...(headers ? { headers } : {}) };
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

function headerCombos(headers: ReadonlyMap<string, ReadonlySet<string>>): (Record<string, string> | undefined)[] {
  let combos: Record<string, string>[] = [{}];
  for (const [name, values] of [...headers.entries()].sort()) {
    combos = combos.flatMap((c) => [c, ...[...values].sort().map((v) => ({ ...c, [name]: v }))]);
  }
  return combos.map((c) => (Object.keys(c).length > 0 ? c : undefined));
}

/** A value a pattern matches: `p*` → `p` + `x`, `*s` → `x` + `s`, exact as is; `*` alone names nothing. */
function witness(pattern: string): string | undefined {
  if (pattern === '*' || pattern === '') return undefined;
  if (pattern.endsWith('*')) return `${pattern.slice(0, -1)}x`;
  if (pattern.startsWith('*')) return `x${pattern.slice(1)}`;
  return pattern;
}

function collect(configs: readonly IstioConfig[], mesh: MeshConfig): Space {
  const s: Space = {
    principals: new Set([`${mesh.trustDomain}/ns/trustmesh-other/sa/other`]),
    ips: new Set(['10.99.0.1']),
    methods: new Set(['GET', 'POST']),
    paths: new Set(['/', '/trustmesh-other']),
    hosts: new Set([undefined]),
    headers: new Map(),
    tokens: new Map<string, RequestJwt | null>([['none', null], ['invalid', { status: 'invalid', reason: 'expired' }]]),
  };
  const add = (set: Set<string>, pattern: string): void => {
    const w = witness(pattern);
    if (w !== undefined) set.add(w);
  };
  const issuers = new Set<string>(['https://trustmesh-other.example']);
  const audiences = new Set<string>();
  const claims: [string, string][] = [];
  const subjects = new Set<string>(['trustmesh-user']);
  for (const c of configs) {
    for (const w of c.workloads) s.principals.add(`${mesh.trustDomain}/ns/${w.metadata.namespace}/sa/${w.serviceAccountName}`);
    for (const p of c.legacy.authn) {
      for (const o of p.spec.origins) {
        issuers.add(o.issuer);
        o.audiences.forEach((a) => audiences.add(a));
        for (const r of o.triggerRules) {
          for (const m of [...r.includedPaths, ...r.excludedPaths]) {
            if ('exact' in m) s.paths.add(m.exact);
            else if ('prefix' in m) s.paths.add(`${m.prefix}x`);
            else if ('suffix' in m) s.paths.add(`x${m.suffix}`);
          }
        }
      }
    }
    for (const r of c.legacy.roles) {
      for (const rule of r.spec.rules) {
        [...rule.methods, ...rule.notMethods].forEach((m) => add(s.methods, m));
        [...rule.paths, ...rule.notPaths].forEach((p) => add(s.paths, p));
        [...rule.hosts, ...rule.notHosts].forEach((h) => { const w = witness(h); if (w) s.hosts.add(w); });
        for (const k of rule.constraints) {
          const h = /^request\.headers\[(.+)\]$/.exec(k.key);
          if (h) k.values.forEach((v) => add(headerSet(s, h[1]), v));
        }
      }
    }
    for (const b of c.legacy.bindings) {
      for (const sub of b.spec.subjects) {
        [sub.user ?? '*', ...sub.names, ...sub.notNames].forEach((u) => {
          const w = witness(u);
          if (!w) return;
          s.principals.add(w);
          const slash = w.lastIndexOf('/');
          if (slash > 0) {
            issuers.add(w.slice(0, slash));
            subjects.add(w.slice(slash + 1));
          }
        });
        [...sub.ips, ...sub.notIps].forEach((ip) => s.ips.add(ip.split('/')[0]));
        [sub.group ?? '*', ...sub.groups, ...sub.notGroups].forEach((g) => { const w = witness(g); if (w) claims.push(['groups', w]); });
        for (const [key, value] of Object.entries(sub.properties)) {
          const w = witness(value);
          if (!w) continue;
          const claim = /^request\.auth\.claims\[(.+)\]$/.exec(key);
          const header = /^request\.headers\[(.+)\]$/.exec(key);
          if (claim) {claims.push([claim[1], w]);} else if (header) {headerSet(s, header[1]).add(w);} else if (key === 'source.principal' || key === 'source.user') {s.principals.add(w);} else if (key === 'source.ip') {s.ips.add(w.split('/')[0]);} else if (key === 'source.namespace') {s.principals.add(`${mesh.trustDomain}/ns/${w}/sa/trustmesh-other`);} else if (key === 'request.auth.principal' && w.lastIndexOf('/') > 0) {
            issuers.add(w.slice(0, w.lastIndexOf('/')));
            subjects.add(w.slice(w.lastIndexOf('/') + 1));
          } else if (key === 'request.auth.audiences') {audiences.add(w);} else if (key === 'request.auth.presenter') {claims.push(['azp', w]);}
        }
      }
    }
  }
  const auds = [undefined, ...[...audiences].sort()];
  for (const iss of [...issuers].sort()) {
    for (const sub of [...subjects].sort()) {
      for (const aud of auds) {
        const base: Record<string, unknown> = { iss, sub, ...(aud ? { aud } : {}) };
        s.tokens.set(JSON.stringify(base), { status: 'valid', claims: base });
        for (const [k, v] of claims) {
          const withClaim = { ...base, [k]: k === 'groups' ? [v] : v };
          s.tokens.set(JSON.stringify(withClaim), { status: 'valid', claims: withClaim });
        }
      }
    }
  }
  return s;
}

function headerSet(s: Space, name: string): Set<string> {
  const key = name.toLowerCase();
  let set = s.headers.get(key);
  if (!set) {
    set = new Set(['trustmesh-other']);
    s.headers.set(key, set);
  }
  return set;
}
