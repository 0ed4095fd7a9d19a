/**
 * Schema validation of the built-in Kubernetes kinds with the `kubernetes-models` validators
 * (Kubernetes 1.27 OpenAPI): the kinds trustmesh emits (ServiceAccount, Service, Deployment,
 * ConfigMap, Secret, Namespace) with their exact name rules, and every other built-in kind the
 * package has a model for (Pod, Node, StatefulSet, webhook configurations, RBAC, …), loaded on
 * first use. These validators check types, enums and required fields; unlike our CRD validation
 * they do not reject unknown fields.
 *
 * @module
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describeValue } from '../errors';
import { childPath, fieldPathOf, valueAt } from './field-path';
import type { NameRule } from './object-metadata';
import type { SchemaFinding } from './schema-errors';
import { isRecord } from '../private/records';

/** A core kind we validate. */
export interface CoreKind {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /** Whether objects of this kind live in a namespace. */
  readonly namespaced: boolean;
  /** The syntax of `metadata.name`. */
  readonly nameRule: NameRule;
}

/** A {@link CoreKind} with the `kubernetes-models` class that validates its objects. */
export interface CoreKindEntry extends CoreKind {
  readonly model: new (data?: never) => { validate(): void };
}

const CORE_KINDS: readonly CoreKindEntry[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true, nameRule: 'dns1123-subdomain', model: ServiceAccount },
  // Service names become DNS labels of the cluster domain (`<svc>.<ns>.svc`): DNS-1035.
  { apiVersion: 'v1', kind: 'Service', namespaced: true, nameRule: 'dns1035-label', model: Service },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true, nameRule: 'dns1123-subdomain', model: ConfigMap },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true, nameRule: 'dns1123-subdomain', model: Secret },
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false, nameRule: 'dns1123-label', model: Namespace },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, nameRule: 'dns1123-subdomain', model: Deployment },
];

const BY_KEY = new Map<string, CoreKindEntry | undefined>(CORE_KINDS.map((k) => [`${k.apiVersion}|${k.kind}`, k]));

// Built-in kinds without a namespace (the rest of what kubernetes-models models is namespaced).
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'v1|Namespace', 'v1|Node', 'v1|PersistentVolume', 'v1|ComponentStatus',
  'rbac.authorization.k8s.io|ClusterRole', 'rbac.authorization.k8s.io|ClusterRoleBinding',
  'storage.k8s.io|StorageClass', 'storage.k8s.io|CSIDriver', 'storage.k8s.io|CSINode', 'storage.k8s.io|VolumeAttachment',
  'storage.k8s.io|VolumeAttributesClass', 'scheduling.k8s.io|PriorityClass', 'node.k8s.io|RuntimeClass', 'networking.k8s.io|IngressClass',
  'networking.k8s.io|IPAddress', 'networking.k8s.io|ServiceCIDR', 'apiextensions.k8s.io|CustomResourceDefinition',
  'apiregistration.k8s.io|APIService', 'certificates.k8s.io|CertificateSigningRequest', 'certificates.k8s.io|ClusterTrustBundle',
  'admissionregistration.k8s.io|MutatingWebhookConfiguration', 'admissionregistration.k8s.io|ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io|ValidatingAdmissionPolicy', 'admissionregistration.k8s.io|ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io|MutatingAdmissionPolicy', 'admissionregistration.k8s.io|MutatingAdmissionPolicyBinding',
  'flowcontrol.apiserver.k8s.io|FlowSchema', 'flowcontrol.apiserver.k8s.io|PriorityLevelConfiguration',
]);

/** The core kinds validated by {@link validateCoreKind} with their exact name rules. */
export function coreKinds(): readonly CoreKind[] {
  return CORE_KINDS;
}

/**
 * The built-in kind for an apiVersion and kind, if `kubernetes-models` has a model for it: the
 * kinds trustmesh emits with their exact name rules, any other with the name rule every kind has
 * (a path segment).
 */
export function findCoreKind(apiVersion: string, kind: string): CoreKindEntry | undefined {
  const key = `${apiVersion}|${kind}`;
  if (!BY_KEY.has(key)) BY_KEY.set(key, loadModel(apiVersion, kind));
  return BY_KEY.get(key);
}

let modelExports: Readonly<Record<string, unknown>> | undefined;

/**
 * Whether kubernetes-models exports models of `apiVersion` (`./apps/v1/*`). A require that fails
 * (every Istio kind: `security.istio.io/v1/AuthorizationPolicy`) searches every node_modules
 * folder and file extension first, milliseconds per kind and more under a loader such as tsx.
 */
function modelsExport(apiVersion: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  modelExports ??= (require('kubernetes-models/package.json') as { exports?: Record<string, unknown> }).exports ?? {};
  return Object.keys(modelExports).length === 0 || Object.hasOwn(modelExports, `./${apiVersion}/*`);
}

// kubernetes-models lays models out as <group>/<version>/<Kind> ("v1/Pod", "apps/v1/StatefulSet").
function loadModel(apiVersion: string, kind: string): CoreKindEntry | undefined {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+([a-z]+[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  if (!modelsExport(apiVersion)) return undefined;
  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = (require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>)[kind];
  } catch {
    return undefined;
  }
  // Nested types (v1/Container) are modelled too, but only top-level kinds carry apiVersion and kind.
  const model = exported as { apiVersion?: unknown; kind?: unknown } | undefined;
  if (typeof exported !== 'function' || model?.apiVersion !== apiVersion || model.kind !== kind) return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : 'v1';
  return {
    apiVersion,
    kind,
    namespaced: !CLUSTER_SCOPED.has(`${group}|${kind}`),
    nameRule: 'path-segment',
    model: exported as CoreKindEntry['model'],
  };
}

/**
 * Validates an object of a core kind (as {@link findCoreKind} returns it) against the Kubernetes
 * OpenAPI schema.
 *
 * @returns the violations; empty when valid
 */
export function validateCoreKind(kind: CoreKindEntry, object: Readonly<Record<string, unknown>>): SchemaFinding[] {
  try {
    new kind.model(object as never).validate();
    return [];
  } catch (e) {
    const errors = isRecord(e) && Array.isArray(e.errors) ? e.errors : undefined;
    if (!errors) throw e;
    return errors.filter(isRecord).map((err) => {
      const pointer = typeof err.instancePath === 'string' ? err.instancePath : '';
      const params = isRecord(err.params) ? err.params : {};
      const base = fieldPathOf(pointer, object);
      const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
      return {
        path: missing ? childPath(base, missing) : base,
        message: missing ? `required field "${missing}" is missing` : typeof err.message === 'string' ? err.message : 'is invalid',
        received: missing ? undefined : describeValue(valueAt(object, pointer)),
        allowed: Array.isArray(params.allowedValues) ? params.allowedValues.map((v: unknown) => describeValue(v)).join(', ') : undefined,
      };
    });
  }
}
