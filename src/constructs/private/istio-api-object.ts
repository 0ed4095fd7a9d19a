import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshPolicy, Policy } from '../../../imports/legacy-authentication.istio.io';
import {
  DestinationRule as DestinationRuleV1Alpha3,
  Gateway as GatewayV1Alpha3,
  ServiceEntry as ServiceEntryV1Alpha3,
  Sidecar as SidecarV1Alpha3,
  VirtualService as VirtualServiceV1Alpha3,
} from '../../../imports/legacy-networking.istio.io';
import { ClusterRbacConfig, RbacConfig, ServiceRole, ServiceRoleBinding } from '../../../imports/legacy-rbac.istio.io';
import {
  DestinationRule,
  DestinationRuleV1Beta1,
  Gateway,
  GatewayV1Beta1,
  ServiceEntry,
  ServiceEntryV1Beta1,
  Sidecar,
  SidecarV1Beta1,
  VirtualService,
  VirtualServiceV1Beta1,
} from '../../../imports/networking.istio.io';
import {
  AuthorizationPolicy,
  AuthorizationPolicyV1Beta1,
  PeerAuthentication,
  PeerAuthenticationV1Beta1,
  RequestAuthentication,
  RequestAuthenticationV1Beta1,
} from '../../../imports/security.istio.io';
import { Telemetry, TelemetryV1Alpha1 } from '../../../imports/telemetry.istio.io';
import { TrustmeshError } from '../../errors';
import { istioApiVersion } from '../../model/api-version';
import { IstioVersion } from '../../model/istio-version';
import { sortKeys } from '../../private/sort-keys';
import { DRY_RUN_ANNOTATION, IstioManifest, IstioMetadata } from '../../render/istio/manifest';

/** Props for {@link createIstioApiObject}. */
export interface IstioApiObjectProps {
  readonly kind: IstioManifest['kind'];
  readonly apiVersion: string;
  /** Known when the object is created. */
  readonly metadata: IstioMetadata;
  /** Renders the object at synth; must return an object of the same kind, name and namespace. */
  readonly render: () => IstioManifest | undefined;
}

/** Props for {@link ensureIstioApiObject}. */
export interface EnsureIstioApiObjectProps {
  readonly kind: IstioManifest['kind'];
  /** The target release: chooses the apiVersion. */
  readonly istioVersion: IstioVersion;
  /** Known when the object is created. */
  readonly metadata: IstioMetadata;
  /**
   * Annotate the object as a dry run (`istio.io/dry-run: "true"`).
   * @default false
   */
  readonly dryRun?: boolean;
  /** Renders the object at synth; must return an object of the same kind, name and namespace. */
  readonly render: () => IstioManifest | undefined;
}

/**
 * The Istio object `id` of `scope`: created by the first declaration that needs it (with the
 * apiVersion of the target release), returned as it is by later ones, whose changes reach it
 * through the model its `spec` is rendered from.
 */
export function ensureIstioApiObject(scope: Construct, id: string, props: EnsureIstioApiObjectProps): ApiObject {
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof ApiObject) return existing;
  const metadata = props.dryRun ? { ...props.metadata, annotations: { [DRY_RUN_ANNOTATION]: 'true' } } : props.metadata;
  return createIstioApiObject(scope, id, {
    kind: props.kind,
    apiVersion: istioApiVersion(props.kind, props.istioVersion),
    metadata,
    render: props.render,
  });
}

/**
 * Creates the typed L1 object (from `imports/`) for a rendered Istio object: created eagerly,
 * its `spec` filled lazily by the pure renderer.
 */
export function createIstioApiObject(scope: Construct, id: string, props: IstioApiObjectProps): ApiObject {
  const spec = Lazy.any({
    produce: () => {
      const manifest = props.render();
      if (!manifest || manifest.metadata.name !== props.metadata.name || manifest.kind !== props.kind) {
        throw new TrustmeshError('TM_INTERNAL_RENDER_MISMATCH',
          `renderer produced no ${props.kind} "${props.metadata.name}" although the construct declared it (a trustmesh bug)`);
      }
      return manifest.spec;
    },
  });
  const L1 = L1_CLASSES[`${props.apiVersion}/${props.kind}`];
  if (!L1) {
    throw new TrustmeshError('TM_INTERNAL_RENDER_MISMATCH', `no generated class for ${props.kind} ${props.apiVersion} (a trustmesh bug)`);
  }
  return new L1(scope, id, { metadata: { ...props.metadata }, spec: spec as never });
}

// `cdk8s import` maps both schema spellings `jwksUri` and `jwks_uri` onto one property and emits
// the legacy `jwks_uri`. Istio accepts both; we emit the documented `jwksUri`.
class CanonicalRequestAuthentication extends RequestAuthentication {
  public override toJson(): Record<string, unknown> {
    return canonicalJwksUri(super.toJson() as Record<string, unknown>);
  }
}

class CanonicalRequestAuthenticationV1Beta1 extends RequestAuthenticationV1Beta1 {
  public override toJson(): Record<string, unknown> {
    return canonicalJwksUri(super.toJson() as Record<string, unknown>);
  }
}

// The legacy Policy's `origins[].jwt` has the same double spellings (Istio 1.5's schema lists
// both): `cdk8s import` emits the snake_case ones; we emit the documented camelCase.
const LEGACY_JWT_KEYS: Readonly<Record<string, string>> = {
  jwks_uri: 'jwksUri', jwt_headers: 'jwtHeaders', trigger_rules: 'triggerRules', excluded_paths: 'excludedPaths', included_paths: 'includedPaths',
};

function camelLegacyKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelLegacyKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[LEGACY_JWT_KEYS[k] ?? k] = camelLegacyKeys(v);
  return sortKeys(out);
}

class CanonicalPolicy extends Policy {
  public override toJson(): Record<string, unknown> {
    const json = super.toJson() as { spec?: { origins?: unknown } };
    if (json.spec?.origins) json.spec.origins = camelLegacyKeys(json.spec.origins);
    return json as Record<string, unknown>;
  }
}

function canonicalJwksUri(json: Record<string, unknown>): Record<string, unknown> {
  const spec = json.spec as { jwtRules?: Record<string, unknown>[] } | undefined;
  for (const rule of spec?.jwtRules ?? []) {
    if ('jwks_uri' in rule) {
      const { jwks_uri: uri, ...rest } = rule;
      for (const k of Object.keys(rule)) delete rule[k];
      Object.assign(rule, sortKeys({ ...rest, jwksUri: uri }));
    }
  }
  return json;
}

/** A generated L1 class (from `imports/`) of an Istio kind at one apiVersion. */
// `spec: never` accepts every generated props type; the spec is a Lazy (see createIstioApiObject).
type L1Class = new (scope: Construct, id: string, props: { metadata: IstioMetadata; spec: never }) => ApiObject;

/**
 * The generated class of every kind at every apiVersion we emit, keyed `<apiVersion>/<kind>`
 * (see `model/api-version` for which apiVersion a target release gets).
 */
const L1_CLASSES: Readonly<Record<string, L1Class>> = {
  'security.istio.io/v1/AuthorizationPolicy': AuthorizationPolicy,
  'security.istio.io/v1beta1/AuthorizationPolicy': AuthorizationPolicyV1Beta1,
  'security.istio.io/v1/PeerAuthentication': PeerAuthentication,
  'security.istio.io/v1beta1/PeerAuthentication': PeerAuthenticationV1Beta1,
  'security.istio.io/v1/RequestAuthentication': CanonicalRequestAuthentication,
  'security.istio.io/v1beta1/RequestAuthentication': CanonicalRequestAuthenticationV1Beta1,
  'networking.istio.io/v1/DestinationRule': DestinationRule,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRuleV1Beta1,
  'networking.istio.io/v1/Gateway': Gateway,
  'networking.istio.io/v1beta1/Gateway': GatewayV1Beta1,
  'networking.istio.io/v1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/VirtualService': VirtualServiceV1Beta1,
  'networking.istio.io/v1/Sidecar': Sidecar,
  'networking.istio.io/v1beta1/Sidecar': SidecarV1Beta1,
  'networking.istio.io/v1/ServiceEntry': ServiceEntry,
  'networking.istio.io/v1beta1/ServiceEntry': ServiceEntryV1Beta1,
  'telemetry.istio.io/v1/Telemetry': Telemetry,
  'telemetry.istio.io/v1alpha1/Telemetry': TelemetryV1Alpha1,
  // The legacy target (Istio 1.0–1.4), imported from Istio 1.5.10's CRDs (imports/legacy-*.ts).
  'networking.istio.io/v1alpha3/DestinationRule': DestinationRuleV1Alpha3,
  'networking.istio.io/v1alpha3/Gateway': GatewayV1Alpha3,
  'networking.istio.io/v1alpha3/VirtualService': VirtualServiceV1Alpha3,
  'networking.istio.io/v1alpha3/Sidecar': SidecarV1Alpha3,
  'networking.istio.io/v1alpha3/ServiceEntry': ServiceEntryV1Alpha3,
  'authentication.istio.io/v1alpha1/MeshPolicy': clusterScoped(MeshPolicy),
  'authentication.istio.io/v1alpha1/Policy': CanonicalPolicy,
  'rbac.istio.io/v1alpha1/ClusterRbacConfig': clusterScoped(ClusterRbacConfig),
  'rbac.istio.io/v1alpha1/RbacConfig': RbacConfig,
  'rbac.istio.io/v1alpha1/ServiceRole': ServiceRole,
  'rbac.istio.io/v1alpha1/ServiceRoleBinding': ServiceRoleBinding,
};

/**
 * A cluster-scoped kind (MeshPolicy, ClusterRbacConfig): its object lives in the root namespace's
 * chart, whose default namespace cdk8s would otherwise give it.
 */
function clusterScoped(L1: L1Class): L1Class {
  return class extends (L1 as unknown as typeof ApiObject) {
    public override toJson(): Record<string, unknown> {
      const json = super.toJson() as { metadata?: Record<string, unknown> };
      if (json.metadata) delete json.metadata.namespace;
      return json as Record<string, unknown>;
    }
  } as unknown as L1Class;
}
