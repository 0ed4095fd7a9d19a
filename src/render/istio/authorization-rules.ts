import { sortedPorts, sortedStrings, sortUniqueByJson, sortUniqueByKey } from './manifest';
import { EndUserRequirement, IntentionSpec, PeerSpec, usesHttpOnlyFields } from '../../model/intention';
import { IstioFeature, supports } from '../../model/istio-version';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { appendAll } from '../../private/arrays';
import { canonicalJson } from '../../private/canonical-json';

/** AuthorizationPolicy `rules[].from[].source`. */
interface RuleSource {
  principals?: string[];
  notPrincipals?: string[];
  serviceAccounts?: string[];
  namespaces?: string[];
  ipBlocks?: string[];
  remoteIpBlocks?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
}

/** AuthorizationPolicy `rules[].to[].operation`. */
export interface RuleOperation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

/** AuthorizationPolicy `rules[].when[]`. */
interface RuleCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

/** One AuthorizationPolicy rule. */
export interface AuthorizationRule {
  from?: { source: RuleSource }[];
  to?: { operation: RuleOperation }[];
  when?: RuleCondition[];
}

/** Istio caps `serviceAccounts` per source (CRD maxItems). */
const MAX_SERVICE_ACCOUNTS = 16;

/**
 * Renders intentions (all for one destination, one action) as AuthorizationPolicy rules.
 *
 * Intentions with the same operation and conditions share a rule whose `from` lists their sources
 * (sources are OR-ed, so this is the same policy, shorter); sources differing only in their
 * identity list are merged into one source. Rules, sources and every list are sorted.
 */
export function renderRules(model: MeshModel, service: ServiceSpec, intentions: readonly IntentionSpec[]): AuthorizationRule[] {
  const groups = new Map<string, {
    operation?: RuleOperation; operationJson: string; when: RuleCondition[]; whenJson: string; sources: (RuleSource | undefined)[];
  }>();
  for (const intention of intentions) {
    const operation = renderOperation(model, service, intention);
    const when = renderConditions(intention);
    const operationJson = operation ? canonicalJson(operation) : 'null';
    const whenJson = when.length > 0 ? canonicalJson(when) : '[]';
    // Two JSON texts in a row: equal keys are equal operations and conditions.
    const key = operationJson + whenJson;
    const group = groups.get(key) ?? { operation, operationJson, when, whenJson, sources: [] };
    group.sources.push(renderSource(model, intention.peer, intention.endUser));
    groups.set(key, group);
  }
  const rules: AuthorizationRule[] = [];
  const keys: string[] = [];
  for (const group of groups.values()) {
    const rule: AuthorizationRule = {};
    let sourcesJson: string[] | undefined;
    // A group with an unrestricted source matches every caller: the other sources add nothing.
    if (!group.sources.some((s) => s === undefined)) {
      const sources = mergeSources(group.sources as RuleSource[]);
      rule.from = sources.map((source) => ({ source }));
      sourcesJson = sources.map(canonicalJson);
    }
    if (group.operation) rule.to = [{ operation: group.operation }];
    if (group.when.length > 0) rule.when = group.when;
    rules.push(rule);
    keys.push(ruleJson(sourcesJson, group.operation ? group.operationJson : undefined, group.when.length > 0 ? group.whenJson : undefined));
  }
  // Sorted by canonical JSON, as sortUniqueByJson sorts, without walking each rule again.
  return sortUniqueByKey(rules, keys);
}

/**
 * The canonical JSON of a rule, from the canonical JSON of its parts (each absent when the rule has
 * no such member): `canonicalJson({ from: sources.map((source) => ({ source })), to: [{ operation }], when })`.
 * @internal
 */
export function ruleJson(sources: readonly string[] | undefined, operation: string | undefined, when: string | undefined): string {
  let out = '{';
  if (sources) out += `"from":[${sources.map((s) => `{"source":${s}}`).join(',')}]`;
  if (operation !== undefined) out += `${out.length > 1 ? ',' : ''}"to":[{"operation":${operation}}]`;
  if (when !== undefined) out += `${out.length > 1 ? ',' : ''}"when":${when}`;
  return `${out}}`;
}

/**
 * The `source` for a peer (and end user), or `undefined` when the intention matches any caller.
 */
function renderSource(model: MeshModel, peer: PeerSpec, endUser: EndUserRequirement | undefined): RuleSource | undefined {
  const source: RuleSource = {};
  switch (peer.kind) {
    case 'service':
      if (!peer.inMesh) {
        // A caller without a sidecar has no identity: recognize it as "no principal" (plaintext),
        // narrowed to its addresses when they are declared.
        if (peer.ipBlocks && peer.ipBlocks.length > 0) source.ipBlocks = sortedStrings(peer.ipBlocks);
        source.notPrincipals = ['*'];
      } else if (supports(model.spec.istioVersion, IstioFeature.SERVICE_ACCOUNTS)) {
        source.serviceAccounts = [`${peer.namespace}/${peer.serviceAccount}`];
      } else {
        source.principals = [model.principal(peer.namespace, peer.serviceAccount)];
      }
      break;
    case 'namespace':
      source.namespaces = [peer.namespace];
      break;
    case 'anyMeshIdentity':
      source.principals = ['*'];
      break;
    case 'ipBlocks':
      if (peer.remote) source.remoteIpBlocks = sortedStrings(peer.blocks);
      else source.ipBlocks = sortedStrings(peer.blocks);
      break;
    case 'anyone':
      break;
  }
  if (endUser) {
    source.requestPrincipals = endUser.subjects.length > 0
      ? sortedStrings(endUser.subjects.map((sub) => `${endUser.issuer}/${sub}`))
      : [`${endUser.issuer}/*`];
  }
  return Object.keys(source).length > 0 ? source : undefined;
}

// The keys of every value rendered here are set in ascending order, the order of the output: the
// canonical JSON of a rule is then its JSON.stringify, and its serialization takes it as it is.
function renderOperation(model: MeshModel, service: ServiceSpec, intention: IntentionSpec): RuleOperation | undefined {
  const m = intention.match;
  const op: RuleOperation = {};
  let ports = m.ports && m.ports.length > 0 ? model.targetPorts(service, m.ports) : undefined;
  // Istio ignores HTTP-only fields of a DENY/AUDIT rule on TCP ports, which would widen the rule
  // to all TCP traffic: scope such rules to the service's HTTP ports.
  // https://istio.io/latest/docs/ops/best-practices/security/#safer-authorization-policy-patterns
  if (!ports && intention.action !== 'ALLOW' && usesHttpOnlyFields(intention)) ports = model.httpTargetPorts(service);
  if (m.hosts && m.hosts.length > 0) op.hosts = sortedStrings(m.hosts);
  if (m.methods && m.methods.length > 0) op.methods = sortedStrings(m.methods);
  if (m.notHosts && m.notHosts.length > 0) op.notHosts = sortedStrings(m.notHosts);
  if (m.notMethods && m.notMethods.length > 0) op.notMethods = sortedStrings(m.notMethods);
  if (m.notPaths && m.notPaths.length > 0) op.notPaths = sortedStrings(m.notPaths);
  if (m.notPorts && m.notPorts.length > 0) op.notPorts = sortedPorts(model.targetPorts(service, m.notPorts));
  if (m.paths && m.paths.length > 0) op.paths = sortedStrings(m.paths);
  if (ports) op.ports = sortedPorts(ports);
  return Object.keys(op).length > 0 ? op : undefined;
}

function renderConditions(intention: IntentionSpec): RuleCondition[] {
  const when: RuleCondition[] = [];
  for (const h of intention.match.headers ?? []) {
    const c: RuleCondition = { key: `request.headers[${h.name.toLowerCase()}]` };
    if (h.notValues && h.notValues.length > 0) c.notValues = sortedStrings(h.notValues);
    if (h.values && h.values.length > 0) c.values = sortedStrings(h.values);
    when.push(c);
  }
  for (const claim of intention.endUser?.claims ?? []) {
    when.push({ key: `request.auth.claims${claim.claim.map((c) => `[${c}]`).join('')}`, values: sortedStrings(claim.values) });
  }
  return sortUniqueByJson(when);
}

type IdentityField = 'principals' | 'serviceAccounts' | 'namespaces';

/** Merges sources that differ only in one identity list; keeps serviceAccounts within Istio's cap. */
function mergeSources(sources: readonly RuleSource[]): RuleSource[] {
  // One source (most rules') has nothing to merge with: it stays as it is, unless its identity
  // list needs sorting or splitting.
  if (sources.length === 1 && isFinalIdentityList(sources[0])) return [sources[0]];
  const merged = new Map<string, { field?: IdentityField; base: RuleSource; ids: string[] }>();
  for (const source of sources) {
    const field = identityField(source);
    if (!field) {
      // Keys only group (renderSource builds every source with its keys in one order); the output is sorted below.
      merged.set(sources.length > 1 ? `one:${JSON.stringify(source)}` : '', { base: source, ids: [] });
      continue;
    }
    const base: RuleSource = {};
    for (const k in source) if (k !== field) (base as Record<string, unknown>)[k] = source[k as keyof RuleSource];
    // One source has nothing to merge with: no key needed.
    const key = sources.length > 1 ? `${field}:${JSON.stringify(base)}` : '';
    const entry = merged.get(key) ?? { field, base, ids: [] };
    appendAll(entry.ids, source[field]!);
    merged.set(key, entry);
  }
  const out: RuleSource[] = [];
  for (const { field, base, ids } of merged.values()) {
    if (!field) {
      out.push(base);
      continue;
    }
    const unique = sortedStrings(ids);
    const chunk = field === 'serviceAccounts' ? MAX_SERVICE_ACCOUNTS : unique.length;
    for (let i = 0; i < unique.length; i += chunk) {
      out.push(withIdentities(base, field, unique.length <= chunk ? unique : unique.slice(i, i + chunk)));
    }
  }
  return sortUniqueByJson(out);
}

/** Whether the identity list of `source`, when it has exactly one, is sorted, unique and within the cap. */
function isFinalIdentityList(source: RuleSource): boolean {
  const field = identityField(source);
  if (!field) return true;
  const ids = source[field]!;
  if (field === 'serviceAccounts' && ids.length > MAX_SERVICE_ACCOUNTS) return false;
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1] < ids[i])) return false;
  return true;
}

/** The one identity list `source` has; `undefined` when it has none or several. */
function identityField(source: RuleSource): IdentityField | undefined {
  const n = (source.principals ? 1 : 0) + (source.serviceAccounts ? 1 : 0) + (source.namespaces ? 1 : 0);
  if (n !== 1) return undefined;
  return source.principals ? 'principals' : source.serviceAccounts ? 'serviceAccounts' : 'namespaces';
}

/** `base` with the identity list `field`, keys in ascending order (the output's, as renderSource writes them). */
function withIdentities(base: RuleSource, field: IdentityField, ids: string[]): RuleSource {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const k in base) {
    if (!placed && field < k) {
      out[field] = ids;
      placed = true;
    }
    out[k] = base[k as keyof RuleSource];
  }
  if (!placed) out[field] = ids;
  return out as RuleSource;
}
