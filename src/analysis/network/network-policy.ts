/**
 * Reading `networking.k8s.io/v1` NetworkPolicy objects into typed, validated rules. Problems the
 * API server would reject (wrong types, unknown fields, bad enums, a bad CIDR, `endPort` below
 * `port` or with a named port, an `except` outside its `cidr`) become `TM_NETWORK_POLICY_INVALID`
 * diagnostics at the field's `file:line:column`; an invalid policy is left out of the analysis.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * @module
 */
import { LABEL_SELECTOR_OPERATORS, LabelSelector, LabelSelectorOperator, LabelSelectorRequirement } from './label-selector';
import { Diagnostic } from '../../errors';
import { appendAll } from '../../private/arrays';
import { closestMatch } from '../../private/did-you-mean';
import { isRecord } from '../../private/records';
import { CidrRange, cidrContains, parseCidr } from '../../semantics/ip-match';
import { IstioConfig, LoadedObject } from '../config/istio-config';
import { FieldPath, fieldString } from '../config/yaml-source';

/** The API version this module reads. */
export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';

/** A NetworkPolicy direction (`policyTypes[]`). */
export type PolicyType = 'Ingress' | 'Egress';

/** An L4 protocol of a NetworkPolicy port. */
export type NetworkProtocol = 'TCP' | 'UDP' | 'SCTP';

const PROTOCOLS: readonly NetworkProtocol[] = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES: readonly PolicyType[] = ['Ingress', 'Egress'];

/** `ipBlock`: addresses in `cidr` and in none of `except`. */
export interface IpBlock {
  readonly cidr: CidrRange;
  readonly except: readonly CidrRange[];
}

/**
 * One `from[]`/`to[]` peer. `podSelector` alone: pods of the policy's namespace; `namespaceSelector`
 * alone: every pod of the selected namespaces; both: the selected pods of the selected namespaces.
 */
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IpBlock;
}

/** One `ports[]` entry: a port number, a range (`port`..`endPort`), a named port, or every port. */
export interface NetworkPolicyPort {
  readonly protocol: NetworkProtocol;
  /** Absent: every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

/** One ingress or egress rule. `peers`/`ports` undefined (field empty or omitted) match everything. */
export interface NetworkPolicyRule {
  readonly peers?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

/** A validated NetworkPolicy. */
export interface NetworkPolicyResource extends LoadedObject {
  readonly kind: 'NetworkPolicy';
  readonly podSelector: LabelSelector;
  /** As written, or defaulted: Ingress always, Egress when `egress` has rules. */
  readonly policyTypes: readonly PolicyType[];
  readonly ingress: readonly NetworkPolicyRule[];
  readonly egress: readonly NetworkPolicyRule[];
}

/** The NetworkPolicies of a config, validated, and the problems found. */
export interface NetworkPolicies {
  readonly policies: readonly NetworkPolicyResource[];
  readonly diagnostics: readonly Diagnostic[];
}

/** True for an object this module reads. */
export function isNetworkPolicy(obj: LoadedObject): boolean {
  return obj.kind === 'NetworkPolicy' && obj.apiVersion === NETWORK_POLICY_API_VERSION;
}

/** Validates and types every `networking.k8s.io/v1` NetworkPolicy of the config, in load order. */
export function readNetworkPolicies(config: IstioConfig): NetworkPolicies {
  const policies: NetworkPolicyResource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const obj of config.unknown) {
    if (!isNetworkPolicy(obj)) continue;
    const r = toNetworkPolicy(obj);
    appendAll(diagnostics, r.diagnostics);
    if (r.resource) policies.push(r.resource);
  }
  return { policies, diagnostics };
}

/** One NetworkPolicy, validated: the resource when it is valid, and its diagnostics. */
export function toNetworkPolicy(obj: LoadedObject): { resource?: NetworkPolicyResource; diagnostics: Diagnostic[] } {
  const c = new Checker(obj);
  const spec = c.record(obj.body.spec, ['spec'], ['podSelector', 'policyTypes', 'ingress', 'egress']) ?? {};
  const podSelector = c.selector(spec.podSelector, ['spec', 'podSelector']);
  const ingress = c.list(spec.ingress, ['spec', 'ingress']).map((r, i) => c.rule(r, ['spec', 'ingress', i], 'from'));
  const egress = c.list(spec.egress, ['spec', 'egress']).map((r, i) => c.rule(r, ['spec', 'egress', i], 'to'));
  const written = c.list(spec.policyTypes, ['spec', 'policyTypes']).map((t, i) => c.oneOf(t, ['spec', 'policyTypes', i], POLICY_TYPES));
  const policyTypes = written.length > 0
    ? POLICY_TYPES.filter((t) => written.includes(t))
    : egress.length > 0 ? POLICY_TYPES : ['Ingress' as const];
  if (c.diagnostics.length > 0) return { diagnostics: c.diagnostics };
  return { resource: { ...obj, kind: 'NetworkPolicy', podSelector, policyTypes, ingress, egress }, diagnostics: [] };
}

/** Collects the problems of one object. */
class Checker {
  public readonly diagnostics: Diagnostic[] = [];

  public constructor(private readonly obj: LoadedObject) {}

  public error(path: FieldPath, message: string, fix: string): void {
    this.diagnostics.push({
      code: 'TM_NETWORK_POLICY_INVALID',
      severity: 'error',
      message: `NetworkPolicy ${this.obj.metadata.namespace}/${this.obj.metadata.name}: ${message}`,
      location: this.obj.locate(path),
      fix,
    });
  }

  public record(value: unknown, path: FieldPath, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.error(path, `${fieldString(path)} must be an object, got ${describe(value)}`, 'Write it as a YAML map.');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const near = closestMatch(key, allowed);
      this.error([...path, key], `unknown field "${key}" in ${fieldString(path)}`,
        near ? `Did you mean "${near}"? Allowed: ${allowed.join(', ')}.` : `Allowed: ${allowed.join(', ')}.`);
    }
    return value;
  }

  public list(value: unknown, path: FieldPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, `${fieldString(path)} must be a list, got ${describe(value)}`, 'Write it as a YAML sequence.');
      return [];
    }
    return value;
  }

  public oneOf<T extends string>(value: unknown, path: FieldPath, allowed: readonly T[]): T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.error(path, `${fieldString(path)} is ${JSON.stringify(value)}; allowed: ${allowed.join(', ')}`, `Use one of ${allowed.join(', ')} (case matters).`);
    return allowed[0];
  }

  public selector(value: unknown, path: FieldPath): LabelSelector {
    const rec = this.record(value, path, ['matchLabels', 'matchExpressions']) ?? {};
    const labels = this.record(rec.matchLabels, [...path, 'matchLabels'], Object.keys(isRecord(rec.matchLabels) ? rec.matchLabels : {})) ?? {};
    const matchLabels: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v === 'string') matchLabels[k] = v;
      else this.error([...path, 'matchLabels', k], `label value ${fieldString([...path, 'matchLabels', k])} must be a string, got ${describe(v)}`, 'Quote the value (e.g. "true", "1").');
    }
    const matchExpressions = this.list(rec.matchExpressions, [...path, 'matchExpressions'])
      .map((e, i) => this.requirement(e, [...path, 'matchExpressions', i]));
    return { matchLabels, matchExpressions };
  }

  public rule(value: unknown, path: FieldPath, peersField: 'from' | 'to'): NetworkPolicyRule {
    const rec = this.record(value, path, [peersField, 'ports']) ?? {};
    const peers = this.list(rec[peersField], [...path, peersField]).map((p, i) => this.peer(p, [...path, peersField, i]));
    const ports = this.list(rec.ports, [...path, 'ports']).map((p, i) => this.port(p, [...path, 'ports', i]));
    return { ...(peers.length > 0 ? { peers } : {}), ...(ports.length > 0 ? { ports } : {}) };
  }

  private requirement(value: unknown, path: FieldPath): LabelSelectorRequirement {
    const rec = this.record(value, path, ['key', 'operator', 'values']) ?? {};
    if (typeof rec.key !== 'string' || rec.key === '') this.error([...path, 'key'], `${fieldString([...path, 'key'])} must be a non-empty string`, 'Name the label key.');
    const operator: LabelSelectorOperator = this.oneOf(rec.operator, [...path, 'operator'], LABEL_SELECTOR_OPERATORS);
    const values = this.list(rec.values, [...path, 'values']).map((v) => (typeof v === 'string' ? v : String(v)));
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && values.length === 0) {
      this.error([...path, 'values'], `operator ${operator} needs at least one value`, 'List the label values, or use Exists/DoesNotExist.');
    } else if (!needsValues && values.length > 0) {
      this.error([...path, 'values'], `operator ${operator} takes no values`, 'Remove values, or use In/NotIn.');
    }
    return { key: typeof rec.key === 'string' ? rec.key : '', operator, values };
  }

  private peer(value: unknown, path: FieldPath): NetworkPolicyPeer {
    const rec = this.record(value, path, ['podSelector', 'namespaceSelector', 'ipBlock']) ?? {};
    const has = (k: string): boolean => rec[k] !== undefined && rec[k] !== null;
    if (has('ipBlock') && (has('podSelector') || has('namespaceSelector'))) {
      this.error([...path, 'ipBlock'], 'a peer with ipBlock may not also have podSelector or namespaceSelector',
        'Split it into two peers (two list entries).');
    }
    if (!has('ipBlock') && !has('podSelector') && !has('namespaceSelector')) {
      this.error(path, `peer ${fieldString(path)} names nothing`, 'Give podSelector, namespaceSelector or ipBlock (an empty list entry is not allowed).');
    }
    return {
      ...(has('podSelector') ? { podSelector: this.selector(rec.podSelector, [...path, 'podSelector']) } : {}),
      ...(has('namespaceSelector') ? { namespaceSelector: this.selector(rec.namespaceSelector, [...path, 'namespaceSelector']) } : {}),
      ...(has('ipBlock') ? { ipBlock: this.ipBlock(rec.ipBlock, [...path, 'ipBlock']) } : {}),
    };
  }

  private ipBlock(value: unknown, path: FieldPath): IpBlock {
    const rec = this.record(value, path, ['cidr', 'except']) ?? {};
    const cidr = this.cidr(rec.cidr, [...path, 'cidr']);
    const except = this.list(rec.except, [...path, 'except']).map((e, i) => {
      const range = this.cidr(e, [...path, 'except', i]);
      if (range.version !== cidr.version || range.prefixLength < cidr.prefixLength
        || !cidrContains(cidr, { version: range.version, bytes: range.bytes })) {
        this.error([...path, 'except', i], `except ${range.raw} is not inside cidr ${cidr.raw}`, 'List only ranges inside the cidr.');
      }
      return range;
    });
    return { cidr, except };
  }

  private cidr(value: unknown, path: FieldPath): CidrRange {
    const range = typeof value === 'string' && value.includes('/') ? parseCidr(value) : undefined;
    if (range) return range;
    this.error(path, `${fieldString(path)} is ${JSON.stringify(value)}, not a CIDR block`, 'Write a CIDR such as 10.0.0.0/8 or fd00::/8.');
    return parseCidr('0.0.0.0/32')!;
  }

  private port(value: unknown, path: FieldPath): NetworkPolicyPort {
    const rec = this.record(value, path, ['protocol', 'port', 'endPort']) ?? {};
    const protocol = rec.protocol === undefined ? 'TCP' : this.oneOf(rec.protocol, [...path, 'protocol'], PROTOCOLS);
    let port: number | string | undefined;
    if (typeof rec.port === 'number') {
      if (!Number.isInteger(rec.port) || rec.port < 1 || rec.port > 65535) this.error([...path, 'port'], `port ${rec.port} is not 1–65535`, 'Use a port number 1–65535.');
      port = rec.port;
    } else if (typeof rec.port === 'string') {
      if (/^\d+$/.test(rec.port)) {this.error([...path, 'port'], `port "${rec.port}" is a quoted number; a string names a container port`, 'Remove the quotes.');} else if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(rec.port) || !/[a-z]/.test(rec.port)) {
        this.error([...path, 'port'], `port name "${rec.port}" is not a valid port name`, 'A port name is 1–15 lower-case letters, digits and "-", with a letter.');
      }
      port = rec.port;
    } else if (rec.port !== undefined && rec.port !== null) {
      this.error([...path, 'port'], `port must be a number or a port name, got ${describe(rec.port)}`, 'Write a port number or a container port name.');
    }
    let endPort: number | undefined;
    if (rec.endPort !== undefined && rec.endPort !== null) {
      if (typeof rec.endPort !== 'number' || !Number.isInteger(rec.endPort) || rec.endPort > 65535) {
        this.error([...path, 'endPort'], `endPort ${JSON.stringify(rec.endPort)} is not a port number`, 'Use a port number up to 65535.');
      } else if (typeof port !== 'number') {
        this.error([...path, 'endPort'], 'endPort needs a numeric port', 'Set port to the first number of the range (named ports cannot be ranges).');
      } else if (rec.endPort < port) {
        this.error([...path, 'endPort'], `endPort ${rec.endPort} is below port ${port}`, 'Make endPort at least port.');
      } else {
        endPort = rec.endPort;
      }
    }
    return { protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
