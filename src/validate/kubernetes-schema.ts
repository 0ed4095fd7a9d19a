/**
 * Schema validation of the core Kubernetes kinds trustmesh emits (ServiceAccount, Service,
 * Deployment, ConfigMap, Secret, Namespace), with the `kubernetes-models` validators (Kubernetes
 * 1.27 OpenAPI). These validators check types, enums and required fields; unlike our CRD
 * validation they do not reject unknown fields.
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

const BY_KEY = new Map(CORE_KINDS.map((k) => [`${k.apiVersion}|${k.kind}`, k]));

/** The core kinds validated by {@link validateCoreKind}. */
export function coreKinds(): readonly CoreKind[] {
  return CORE_KINDS;
}

/** The core kind for an apiVersion and kind, if we validate it. */
export function findCoreKind(apiVersion: string, kind: string): CoreKindEntry | undefined {
  return BY_KEY.get(`${apiVersion}|${kind}`);
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
