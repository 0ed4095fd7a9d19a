import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AUTHORIZATION_POLICY_SPEC } from './istio-spec-shapes';
import { JsonShape } from './json-shape';
import { plainApiObjectJson, shapedApiObjectJson } from './plain-json';
import { MeshPolicy, Policy, toJson_MeshPolicyProps, toJson_PolicyProps } from '../../../imports/legacy-authentication.istio.io';
import * as legacyNetworking from '../../../imports/legacy-networking.istio.io';
import {
  ClusterRbacConfig, RbacConfig, ServiceRole, ServiceRoleBinding,
  toJson_ClusterRbacConfigProps, toJson_RbacConfigProps, toJson_ServiceRoleBindingProps, toJson_ServiceRoleProps,
} from '../../../imports/legacy-rbac.istio.io';
import * as networking from '../../../imports/networking.istio.io';
import * as security from '../../../imports/security.istio.io';
import { Telemetry, TelemetryV1Alpha1, toJson_TelemetryProps, toJson_TelemetryV1Alpha1Props } from '../../../imports/telemetry.istio.io';
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

/** A generated L1 class: its `toJson()` is `{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`. */
interface GeneratedL1 {
  readonly GVK: { readonly apiVersion: string; readonly kind: string };
}

/**
 * The generated class `L1` with the same `toJson()`, computed without cdk8s's per-value resolution
 * when that gives the same JSON (./plain-json); cdk8s's own path otherwise.
 * @param propsToJson the generated conversion of `L1`'s props to JSON (`toJson_<Kind>Props`)
 * @param specShape what the generated conversion of the spec does (./json-shape): given for the
 * kinds of which a mesh has many objects, whose plain specs then skip the conversion's copies
 */
function plainJson(L1: GeneratedL1, propsToJson: (props: never) => Record<string, unknown> | undefined, specShape?: JsonShape): L1Class {
  const Base = L1 as unknown as new (scope: Construct, id: string, props: Record<string, unknown>) => ApiObject;
  const Plain = class extends Base {
    private patched = false;

    public constructor(scope: Construct, id: string, private readonly constructedWith: Record<string, unknown> = {}) {
      super(scope, id, constructedWith);
    }

    public override addJsonPatch(...ops: JsonPatch[]): void {
      this.patched = true;
      super.addJsonPatch(...ops);
    }

    public override toJson(): Record<string, unknown> {
      if (specShape) {
        const shaped = shapedApiObjectJson(this, L1.GVK, this.constructedWith, this.patched, specShape);
        if (shaped?.converted) return shaped.json;
        return shaped ? { ...L1.GVK, ...propsToJson(shaped.json as never) } : super.toJson() as Record<string, unknown>;
      }
      // What the generated constructor hands to ApiObject: its GVK and these props.
      const resolved = plainApiObjectJson(this, { ...L1.GVK, ...this.constructedWith }, this.patched);
      return resolved ? { ...L1.GVK, ...propsToJson(resolved as never) } : super.toJson() as Record<string, unknown>;
    }
  };
  return Plain as unknown as L1Class;
}

// `cdk8s import` maps both schema spellings `jwksUri` and `jwks_uri` onto one property and emits
// the legacy `jwks_uri`. Istio accepts both; we emit the documented `jwksUri`.
class CanonicalRequestAuthentication extends plainJson(security.RequestAuthentication, security.toJson_RequestAuthenticationProps) {
  public override toJson(): Record<string, unknown> {
    return canonicalJwksUri(super.toJson() as Record<string, unknown>);
  }
}

const PlainRequestAuthenticationV1Beta1 = plainJson(security.RequestAuthenticationV1Beta1, security.toJson_RequestAuthenticationV1Beta1Props);

class CanonicalRequestAuthenticationV1Beta1 extends PlainRequestAuthenticationV1Beta1 {
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

class CanonicalPolicy extends plainJson(Policy, toJson_PolicyProps) {
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
  'security.istio.io/v1/AuthorizationPolicy': plainJson(security.AuthorizationPolicy, security.toJson_AuthorizationPolicyProps,
    AUTHORIZATION_POLICY_SPEC),
  'security.istio.io/v1beta1/AuthorizationPolicy': plainJson(security.AuthorizationPolicyV1Beta1, security.toJson_AuthorizationPolicyV1Beta1Props,
    AUTHORIZATION_POLICY_SPEC),
  'security.istio.io/v1/PeerAuthentication': plainJson(security.PeerAuthentication, security.toJson_PeerAuthenticationProps),
  'security.istio.io/v1beta1/PeerAuthentication': plainJson(security.PeerAuthenticationV1Beta1, security.toJson_PeerAuthenticationV1Beta1Props),
  'security.istio.io/v1/RequestAuthentication': CanonicalRequestAuthentication,
  'security.istio.io/v1beta1/RequestAuthentication': CanonicalRequestAuthenticationV1Beta1,
  'networking.istio.io/v1/DestinationRule': plainJson(networking.DestinationRule, networking.toJson_DestinationRuleProps),
  'networking.istio.io/v1beta1/DestinationRule': plainJson(networking.DestinationRuleV1Beta1, networking.toJson_DestinationRuleV1Beta1Props),
  'networking.istio.io/v1/Gateway': plainJson(networking.Gateway, networking.toJson_GatewayProps),
  'networking.istio.io/v1beta1/Gateway': plainJson(networking.GatewayV1Beta1, networking.toJson_GatewayV1Beta1Props),
  'networking.istio.io/v1/VirtualService': plainJson(networking.VirtualService, networking.toJson_VirtualServiceProps),
  'networking.istio.io/v1beta1/VirtualService': plainJson(networking.VirtualServiceV1Beta1, networking.toJson_VirtualServiceV1Beta1Props),
  'networking.istio.io/v1/Sidecar': plainJson(networking.Sidecar, networking.toJson_SidecarProps),
  'networking.istio.io/v1beta1/Sidecar': plainJson(networking.SidecarV1Beta1, networking.toJson_SidecarV1Beta1Props),
  'networking.istio.io/v1/ServiceEntry': plainJson(networking.ServiceEntry, networking.toJson_ServiceEntryProps),
  'networking.istio.io/v1beta1/ServiceEntry': plainJson(networking.ServiceEntryV1Beta1, networking.toJson_ServiceEntryV1Beta1Props),
  'telemetry.istio.io/v1/Telemetry': plainJson(Telemetry, toJson_TelemetryProps),
  'telemetry.istio.io/v1alpha1/Telemetry': plainJson(TelemetryV1Alpha1, toJson_TelemetryV1Alpha1Props),
  // The legacy target (Istio 1.0–1.4), imported from Istio 1.5.10's CRDs (imports/legacy-*.ts).
  'networking.istio.io/v1alpha3/DestinationRule': plainJson(legacyNetworking.DestinationRule, legacyNetworking.toJson_DestinationRuleProps),
  'networking.istio.io/v1alpha3/Gateway': plainJson(legacyNetworking.Gateway, legacyNetworking.toJson_GatewayProps),
  'networking.istio.io/v1alpha3/VirtualService': plainJson(legacyNetworking.VirtualService, legacyNetworking.toJson_VirtualServiceProps),
  'networking.istio.io/v1alpha3/Sidecar': plainJson(legacyNetworking.Sidecar, legacyNetworking.toJson_SidecarProps),
  'networking.istio.io/v1alpha3/ServiceEntry': plainJson(legacyNetworking.ServiceEntry, legacyNetworking.toJson_ServiceEntryProps),
  'authentication.istio.io/v1alpha1/MeshPolicy': clusterScoped(plainJson(MeshPolicy, toJson_MeshPolicyProps)),
  'authentication.istio.io/v1alpha1/Policy': CanonicalPolicy,
  'rbac.istio.io/v1alpha1/ClusterRbacConfig': clusterScoped(plainJson(ClusterRbacConfig, toJson_ClusterRbacConfigProps)),
  'rbac.istio.io/v1alpha1/RbacConfig': plainJson(RbacConfig, toJson_RbacConfigProps),
  'rbac.istio.io/v1alpha1/ServiceRole': plainJson(ServiceRole, toJson_ServiceRoleProps),
  'rbac.istio.io/v1alpha1/ServiceRoleBinding': plainJson(ServiceRoleBinding, toJson_ServiceRoleBindingProps),
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
