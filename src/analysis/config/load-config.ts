/**
 * Loads Kubernetes/Istio manifests from files and directories into an {@link IstioConfig}.
 *
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { assertObjectsFound, assertUniqueObjects } from './input-checks';
import {
  AuthorizationPolicyResource, IstioConfig, IstioResource, LoadedObject, ObjectMeta, PeerAuthenticationResource,
  RequestAuthenticationResource, ServiceResource, Workload,
} from './istio-config';
import { LEGACY_KINDS, legacyPoliciesOf, toLegacyResource } from './legacy-resources';
import { SECURITY_API_VERSIONS, toAuthorizationPolicy, toPeerAuthentication, toRequestAuthentication } from './security-resources';
import { toService, toWorkload } from './workload-resources';
import { documentsOfValues, FieldPath, parseYamlDocuments, SharedDocuments, YamlDocument } from './yaml-source';
import { Diagnostic, TrustmeshAggregateError, TrustmeshError } from '../../errors';
import { appendAll } from '../../private/arrays';
import { readTextFile } from '../../private/fs-read';
import { asRecord } from '../../private/records';

/** Options of {@link loadConfig} and {@link parseConfigText}. */
export interface LoadConfigOptions {
  /**
   * Namespace for namespaced objects without `metadata.namespace` (what `kubectl apply` without
   * `-n` would use).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Accept paths that hold no Kubernetes object (the CLI's `--allow-empty`).
   * @default false - `TM_NO_OBJECTS` when the given paths hold no object
   */
  readonly allowEmpty?: boolean;
  /**
   * Documents already parsed by another load, by text (`trustmesh diff` loads two versions that
   * share most documents): a document found here is not parsed again.
   * @default - every document is parsed
   */
  readonly sharedDocuments?: SharedDocuments;
}

/** The file extensions read as manifests (compared lower-cased). */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

// Cluster-scoped kinds get namespace ''.
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'PriorityClass', 'IngressClass', 'GatewayClass', 'APIService', 'RuntimeClass',
  'MeshPolicy', 'ClusterRbacConfig',
]);

const NETWORKING_LISTS: Readonly<Record<string, keyof MutableLists>> = {
  DestinationRule: 'destinationRules',
  Gateway: 'gateways',
  VirtualService: 'virtualServices',
  ServiceEntry: 'serviceEntries',
  Sidecar: 'sidecars',
  EnvoyFilter: 'envoyFilters',
  WorkloadGroup: 'workloadGroups',
};

interface MutableLists {
  destinationRules: IstioResource[];
  gateways: IstioResource[];
  virtualServices: IstioResource[];
  serviceEntries: IstioResource[];
  sidecars: IstioResource[];
  envoyFilters: IstioResource[];
  workloadGroups: IstioResource[];
}

/**
 * Loads every `*.yaml`, `*.yml` and `*.json` file under the given files and directories
 * (recursively, in sorted order), all documents of each file, and the items of `kind: List`.
 *
 * Unreadable paths, YAML syntax errors, paths without any Kubernetes object and objects defined
 * twice throw; problems inside objects are returned as `diagnostics` (see {@link assertValidConfig}).
 *
 * @throws TrustmeshError `TM_FILE_NOT_FOUND`, `TM_INPUT_NOT_A_FILE`, `TM_FILE_TOO_LARGE`, `TM_YAML_PARSE`,
 *   `TM_YAML_TOO_DEEP`, `TM_YAML_TOO_MANY_ALIASES`, `TM_NO_OBJECTS` (unless `allowEmpty`), `TM_DUPLICATE_OBJECT`
 */
export function loadConfig(paths: string | readonly string[], options: LoadConfigOptions = {}): IstioConfig {
  const given = typeof paths === 'string' ? [paths] : paths;
  const files = listManifestFiles(given);
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    collectObjects(readTextFile(file, 'cannot read the policy file'), file, options, objects, diagnostics);
  }
  if (!options.allowEmpty) assertObjectsFound(objects, given, files.length);
  assertUniqueObjects(objects);
  return buildIstioConfig(objects, diagnostics);
}

/** Parses manifests from a string (a YAML stream or a JSON document). */
export function parseConfigText(text: string, file = '<inline>', options: LoadConfigOptions = {}): IstioConfig {
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  collectObjects(text, file, options, objects, diagnostics);
  return buildIstioConfig(objects, diagnostics);
}

/**
 * The config of a YAML stream whose documents the caller already holds as values (its own output,
 * e.g. synth's): the same as {@link parseConfigText} on `text`, without parsing it a second time.
 */
export function parseConfigDocuments(text: string, values: readonly unknown[], file = '<inline>', options: LoadConfigOptions = {}): IstioConfig {
  const docs = documentsOfValues(text, file, values);
  if (!docs) return parseConfigText(text, file, options);
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    if (doc.value !== null && doc.value !== undefined) addObject(doc, doc.value, [], file, options, objects, diagnostics);
  }
  return buildIstioConfig(objects, diagnostics);
}

/**
 * Throws when the config has error diagnostics (security objects the API server would reject).
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` listing each problem with its location.
 */
export function assertValidConfig(config: IstioConfig): void {
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return;
  throw new TrustmeshAggregateError('TM_CONFIG_INVALID',
    `${errors.length} invalid object${errors.length === 1 ? '' : 's'} in the policies`,
    errors.map((d) => TrustmeshError.fromDiagnostic(d)));
}

/** The manifest files under the given paths, sorted; throws when a path does not exist. */
export function listManifestFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      throw new TrustmeshError('TM_FILE_NOT_FOUND', 'policy path does not exist', {
        location: { file: p },
        fix: 'Pass a YAML/JSON file or a directory of them.',
        cause: e,
      });
    }
    if (stat.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Appends the manifest files under `dir` to `out`, recursively, in sorted order. */
function walk(dir: string, out: string[]): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
  }
}

function collectObjects(text: string, file: string, options: LoadConfigOptions, objects: LoadedObject[], diagnostics: Diagnostic[]): void {
  for (const doc of parseYamlDocuments(text, file, options.sharedDocuments)) {
    if (doc.value === null || doc.value === undefined) continue;
    addObject(doc, doc.value, [], file, options, objects, diagnostics);
  }
}

function addObject(doc: YamlDocument, value: unknown, at: FieldPath, file: string, options: LoadConfigOptions,
  objects: LoadedObject[], diagnostics: Diagnostic[]): void {
  // A document's own object is located by the document (no closure per object); a List item below its path.
  const locate = at.length === 0 ? doc.locate : (p: FieldPath): ReturnType<YamlDocument['locate']> => doc.locate([...at, ...p]);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    diagnostics.push({ code: 'TM_NOT_A_KUBERNETES_OBJECT', severity: 'warning', message: 'skipped a document that is not a Kubernetes object', location: locate([]) });
    return;
  }
  const body = value as Record<string, unknown>;
  if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') {
    diagnostics.push({
      code: 'TM_NOT_A_KUBERNETES_OBJECT',
      severity: 'warning',
      message: 'skipped a document without apiVersion and kind',
      location: locate([]),
    });
    return;
  }
  if (body.kind === 'List' || (body.kind.endsWith('List') && Array.isArray(body.items))) {
    const items = Array.isArray(body.items) ? body.items : [];
    items.forEach((item: unknown, i) => addObject(doc, item, [...at, 'items', i], file, options, objects, diagnostics));
    return;
  }
  const start = locate([]);
  const meta = typeof body.metadata === 'object' && body.metadata !== null ? body.metadata as Record<string, unknown> : {};
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(body.kind);
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const metadata: { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } = {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: clusterScoped ? '' : ns ?? options.defaultNamespace ?? 'default',
    namespaceDefaulted: !clusterScoped && ns === undefined,
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
  };
  // Set after the others (the same key order as a spread), without a spread of {} for every object.
  if (typeof meta.creationTimestamp === 'string') metadata.creationTimestamp = meta.creationTimestamp;
  else if (meta.creationTimestamp instanceof Date) metadata.creationTimestamp = meta.creationTimestamp.toISOString();
  if (metadata.name === '') {
    diagnostics.push({ code: 'TM_MISSING_NAME', severity: 'warning', message: `${body.kind} without metadata.name`, location: start });
  }
  objects.push({
    apiVersion: body.apiVersion,
    kind: body.kind,
    metadata,
    body,
    source: { file, line: start.line ?? 1, column: start.column ?? 1 },
    locate,
    // A List item is not its document.
    documentText: at.length === 0 ? doc.text : undefined,
  });
}

/** Builds the typed view from loaded objects (exposed for tools that assemble objects themselves). */
export function buildIstioConfig(objects: readonly LoadedObject[], initialDiagnostics: readonly Diagnostic[] = []): IstioConfig {
  const diagnostics: Diagnostic[] = [...initialDiagnostics];
  const authorizationPolicies: AuthorizationPolicyResource[] = [];
  const peerAuthentications: PeerAuthenticationResource[] = [];
  const requestAuthentications: RequestAuthenticationResource[] = [];
  const lists: MutableLists = {
    destinationRules: [], gateways: [], virtualServices: [], serviceEntries: [], sidecars: [], envoyFilters: [], workloadGroups: [],
  };
  const telemetries: IstioResource[] = [];
  const legacy: (LoadedObject & { spec: unknown })[] = [];
  const workloads: Workload[] = [];
  const services: ServiceResource[] = [];
  const serviceAccounts: LoadedObject[] = [];
  const namespaces: LoadedObject[] = [];
  const unknown: LoadedObject[] = [];
  for (const obj of objects) {
    const slash = obj.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : obj.apiVersion.slice(0, slash);
    const isSecurity = SECURITY_API_VERSIONS.includes(obj.apiVersion);
    if (isSecurity && obj.kind === 'AuthorizationPolicy') {
      const r = toAuthorizationPolicy(obj);
      appendAll(diagnostics, r.diagnostics);
      if (r.resource) authorizationPolicies.push(r.resource);
    } else if (isSecurity && obj.kind === 'PeerAuthentication') {
      const r = toPeerAuthentication(obj);
      appendAll(diagnostics, r.diagnostics);
      if (r.resource) peerAuthentications.push(r.resource);
    } else if (isSecurity && obj.kind === 'RequestAuthentication') {
      const r = toRequestAuthentication(obj);
      appendAll(diagnostics, r.diagnostics);
      if (r.resource) requestAuthentications.push(r.resource);
    } else if (group === 'security.istio.io') {
      diagnostics.push({
        code: 'TM_UNSUPPORTED_API_VERSION',
        severity: 'warning',
        message: `${obj.apiVersion} ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} is not served by Istio; it is ignored`,
        location: obj.locate([]),
        fix: 'Use security.istio.io/v1 (or v1beta1).',
      });
      unknown.push(obj);
    } else if (group === 'networking.istio.io' && NETWORKING_LISTS[obj.kind]) {
      lists[NETWORKING_LISTS[obj.kind]].push(asIstioResource(obj));
    } else if (group === 'networking.istio.io' && obj.kind === 'WorkloadEntry') {
      const w = toWorkload(obj);
      if (w) workloads.push(w);
    } else if (group === 'telemetry.istio.io' && obj.kind === 'Telemetry') {
      telemetries.push(asIstioResource(obj));
    } else if (mayBeLegacy(obj.apiVersion) && LEGACY_KINDS.has(`${obj.apiVersion}/${obj.kind}`)) {
      const r = toLegacyResource(obj);
      appendAll(diagnostics, r.diagnostics);
      if (r.resource) legacy.push(r.resource);
    } else if (group === '' && obj.kind === 'Service') {
      services.push(toService(obj));
    } else if (group === '' && obj.kind === 'ServiceAccount') {
      serviceAccounts.push(obj);
    } else if (group === '' && obj.kind === 'Namespace') {
      namespaces.push(obj);
    } else {
      const w = (group === '' || group === 'apps' || group === 'batch') ? toWorkload(obj) : undefined;
      if (w) workloads.push(w);
      else unknown.push(obj);
    }
  }
  return {
    objects,
    authorizationPolicies,
    peerAuthentications,
    requestAuthentications,
    ...lists,
    telemetries,
    legacy: legacyPoliciesOf(legacy),
    workloads,
    services,
    serviceAccounts,
    namespaces,
    unknown,
    diagnostics,
  };
}

/**
 * Joins configs loaded separately: every list and the diagnostics, in the given order — what
 * loading their objects together gives, without typing them again.
 */
export function mergeConfigs(configs: readonly IstioConfig[]): IstioConfig {
  if (configs.length === 1) return configs[0];
  return {
    objects: configs.flatMap((c) => c.objects),
    authorizationPolicies: configs.flatMap((c) => c.authorizationPolicies),
    peerAuthentications: configs.flatMap((c) => c.peerAuthentications),
    requestAuthentications: configs.flatMap((c) => c.requestAuthentications),
    destinationRules: configs.flatMap((c) => c.destinationRules),
    gateways: configs.flatMap((c) => c.gateways),
    virtualServices: configs.flatMap((c) => c.virtualServices),
    serviceEntries: configs.flatMap((c) => c.serviceEntries),
    sidecars: configs.flatMap((c) => c.sidecars),
    envoyFilters: configs.flatMap((c) => c.envoyFilters),
    workloadGroups: configs.flatMap((c) => c.workloadGroups),
    telemetries: configs.flatMap((c) => c.telemetries),
    legacy: {
      authn: configs.flatMap((c) => c.legacy.authn),
      rbacConfigs: configs.flatMap((c) => c.legacy.rbacConfigs),
      roles: configs.flatMap((c) => c.legacy.roles),
      bindings: configs.flatMap((c) => c.legacy.bindings),
    },
    workloads: configs.flatMap((c) => c.workloads),
    services: configs.flatMap((c) => c.services),
    serviceAccounts: configs.flatMap((c) => c.serviceAccounts),
    namespaces: configs.flatMap((c) => c.namespaces),
    unknown: configs.flatMap((c) => c.unknown),
    diagnostics: configs.flatMap((c) => c.diagnostics),
  };
}

function asIstioResource(obj: LoadedObject): IstioResource {
  return { ...obj, spec: asRecord(obj.body.spec) };
}

function stringMap(x: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return out;
  // Labels and annotations are nearly always all strings: then the map as it is, not a copy.
  if (Object.getPrototypeOf(x) === Object.prototype && allStrings(x as Record<string, unknown>)) return x as Record<string, string>;
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Whether every own value of a plain record is a string (no list of them built). */
function allStrings(x: Record<string, unknown>): boolean {
  for (const key in x) {
    if (Object.prototype.hasOwnProperty.call(x, key) && typeof x[key] !== 'string') return false;
  }
  return true;
}

/** Whether `apiVersion/kind` can be one of {@link LEGACY_KINDS} (no key string built for every other object). */
function mayBeLegacy(apiVersion: string): boolean {
  return apiVersion.startsWith('authentication.istio.io') || apiVersion.startsWith('rbac.istio.io');
}
