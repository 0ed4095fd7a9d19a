/**
 * The one list of the Istio objects a mesh can produce: for each declaration they belong to (the
 * mesh, a namespace, a service, a gateway, an egress declaration …), which objects it calls for and
 * how each is rendered. `renderIstio` walks it over the model; the constructs walk it over their
 * declarations to create each object eagerly (cdk8s has no prepare phase) and fill it lazily from
 * the renderer. A new kind of object is a new entry here (and its renderer), nothing else.
 *
 * @module
 */
import { POLICY_SLOTS, renderDefaultDenyPolicy, renderRequireJwtPolicy, renderServicePolicy } from './authorization-policy';
import {
  plaintextExceptionAnnotations, renderEgressTlsDestinationRules, renderPlaintextDestinationRule, renderPlaintextExceptionDestinationRule,
} from './destination-rule';
import { renderGateway } from './gateway';
import { renderGatewayPolicy, renderGatewayRequestAuthentication, renderGatewayRequireJwtPolicy } from './gateway-authorization';
import { DRY_RUN_ANNOTATION, IstioManifest } from './manifest';
import { renderMeshPeerAuthentication, renderNamespacePeerAuthentication, renderServicePeerAuthentication } from './peer-authentication';
import { renderRequestAuthentication } from './request-authentication';
import { renderServiceEntry } from './service-entry';
import { renderEgressSidecar } from './sidecar';
import { renderAccessLogging } from './telemetry';
import { renderGatewayRoute } from './virtual-service';
import { AccessLoggingSpec } from '../../model/access-logging';
import { IstioKind } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { EgressPolicySpec, ExternalServiceSpec, PlaintextExceptionSpec } from '../../model/egress';
import { IngressGatewaySpec } from '../../model/ingress-gateway';
import { Enforcement, IntentionAction, IntentionSpec, JwtRequirementSpec, ServiceRef } from '../../model/intention';
import { IstioVersion } from '../../model/istio-version';
import { MeshModel } from '../../model/mesh-model';
import { DefaultAccess, LegacyAuthorization, NamespaceSpec, ServiceSpec } from '../../model/mesh-spec';
import { ObjectNames } from '../../model/object-names';

/** What every declaration knows about its mesh when it declares objects. */
export interface MeshContext {
  readonly rootNamespace: string;
  readonly defaultAccess: DefaultAccess;
  /** The target release: the legacy target (before 1.5) declares other kinds (`render/istio-legacy`). */
  readonly istioVersion: IstioVersion;
  /** The legacy target's authorization API (`render/istio-legacy`); `RBAC` when unset. */
  readonly legacyAuthorization?: LegacyAuthorization;
}

/** An object a declaration calls for, known before the model is: its construct id, name and namespace. */
export interface DeclaredObject {
  /** Construct id, unique under the construct (or the namespace's chart, for edge objects) that holds it. */
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  /** Annotations known at declaration (`istio.io/dry-run`, a reason for reviewers). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One kind of object of one declaration: which instances the declaration calls for, and how they render. */
export interface IstioObjectSlot<S> {
  readonly kind: IstioKind;
  /**
   * The instances the subject calls for, from the declaration alone (no model; it is asked after
   * every declaration). Must name exactly the objects {@link render} returns for the final model.
   */
  readonly declare: (subject: S, mesh: MeshContext) => readonly DeclaredObject[];
  /** The instances, rendered from the model: a pure function. */
  readonly render: (model: MeshModel, subject: S) => readonly IstioManifest[];
}

/** A service with the intentions that name it as their destination. */
export interface ServiceSubject {
  readonly service: ServiceSpec;
  readonly intentions: readonly IntentionSpec[];
}

/** A gateway's routes to one service (one VirtualService in the service's namespace). */
export interface GatewayRouteSubject {
  readonly gateway: IngressGatewaySpec;
  readonly service: ServiceRef;
}

/** The declarations objects belong to, each with its subject. */
export interface IstioObjectSubjects {
  readonly mesh: MeshContext;
  readonly namespace: NamespaceSpec;
  readonly service: ServiceSubject;
  readonly egressPolicy: EgressPolicySpec;
  readonly accessLogging: AccessLoggingSpec;
  readonly gateway: IngressGatewaySpec;
  readonly gatewayRoute: GatewayRouteSubject;
  readonly externalService: ExternalServiceSpec;
  readonly plaintextException: PlaintextExceptionSpec;
}

/** The slots of every declaration. */
export type IstioObjectTable = { readonly [K in keyof IstioObjectSubjects]: readonly IstioObjectSlot<IstioObjectSubjects[K]>[] };

/** A slot of at most one object: its id, name and namespace, when the subject calls for it. */
export function single<S>(kind: IstioKind, declare: (subject: S, mesh: MeshContext) => DeclaredObject | undefined,
  render: (model: MeshModel, subject: S) => IstioManifest | undefined): IstioObjectSlot<S> {
  return {
    kind,
    declare: (subject, mesh) => {
      const declared = declare(subject, mesh);
      return declared ? [declared] : [];
    },
    render: (model, subject) => {
      const manifest = render(model, subject);
      return manifest ? [manifest] : [];
    },
  };
}

/** The construct id of a workload's AuthorizationPolicy for one action and enforcement, e.g. `Allow`, `DenyDryRun`. */
function policyConstructId(action: IntentionAction, enforcement: Enforcement): string {
  const name = action.charAt(0) + action.slice(1).toLowerCase();
  return enforcement === 'DRY_RUN' ? `${name}DryRun` : name;
}

/** The dry-run annotation of an object whose intentions are only observed. */
function dryRun(enforcement: Enforcement): { annotations?: Record<string, string> } {
  return enforcement === 'DRY_RUN' ? { annotations: { [DRY_RUN_ANNOTATION]: 'true' } } : {};
}

function needsRequestAuthentication(requirement: JwtRequirementSpec | undefined, intentions: readonly IntentionSpec[]): boolean {
  return requirement !== undefined || intentions.some((i) => i.endUser !== undefined);
}

function hasPolicy(intentions: readonly IntentionSpec[], action: IntentionAction, enforcement: Enforcement): boolean {
  return intentions.some((i) => i.action === action && i.enforcement === enforcement);
}

const SERVICE_POLICIES = POLICY_SLOTS.map(([action, enforcement]) => single<ServiceSubject>('AuthorizationPolicy',
  ({ service, intentions }) => (hasPolicy(intentions, action, enforcement) ? {
    id: policyConstructId(action, enforcement),
    name: ObjectNames.policy(service.name, action, enforcement),
    namespace: service.namespace,
    ...dryRun(enforcement),
  } : undefined),
  (model, { service }) => renderServicePolicy(model, service, action, enforcement)));

const GATEWAY_POLICIES = POLICY_SLOTS.map(([action, enforcement]) => single<IngressGatewaySpec>('AuthorizationPolicy',
  (gateway) => (hasPolicy(gateway.intentions, action, enforcement) ? {
    id: policyConstructId(action, enforcement),
    name: EdgeObjectNames.gatewayPolicy(gateway.name, action, enforcement),
    namespace: gateway.namespace,
    ...dryRun(enforcement),
  } : undefined),
  (model, gateway) => renderGatewayPolicy(model, gateway, action, enforcement)));

/**
 * Every Istio object trustmesh emits, by the declaration it belongs to, in output order.
 * @see renderIstio
 */
export const ISTIO_OBJECTS: IstioObjectTable = {
  mesh: [
    single('PeerAuthentication', (mesh) => ({ id: 'PeerAuthentication', name: ObjectNames.defaultPeerAuthentication, namespace: mesh.rootNamespace }),
      (model) => renderMeshPeerAuthentication(model)),
  ],
  namespace: [
    single('PeerAuthentication', (ns) => (ns.mtls ? { id: 'PeerAuthentication', name: ObjectNames.defaultPeerAuthentication, namespace: ns.name } : undefined),
      (model, ns) => renderNamespacePeerAuthentication(model, ns.name)),
    single('AuthorizationPolicy',
      (ns, mesh) => ((ns.defaultAccess ?? mesh.defaultAccess) === 'DENY' ? { id: 'DefaultDeny', name: ObjectNames.defaultDeny, namespace: ns.name } : undefined),
      (model, ns) => renderDefaultDenyPolicy(model, ns.name)),
  ],
  service: [
    single('PeerAuthentication', ({ service }) => (service.mtls || service.ports.some((p) => p.mtls)
      ? { id: 'PeerAuthentication', name: ObjectNames.servicePeerAuthentication(service.name), namespace: service.namespace } : undefined),
    (model, { service }) => renderServicePeerAuthentication(model, service)),
    single('RequestAuthentication', ({ service, intentions }) => (needsRequestAuthentication(service.jwtRequirement, intentions)
      ? { id: 'RequestAuthentication', name: ObjectNames.requestAuthentication(service.name), namespace: service.namespace } : undefined),
    (model, { service }) => renderRequestAuthentication(model, service)),
    single('AuthorizationPolicy', ({ service }) => (service.jwtRequirement ? {
      id: 'RequireJwt', name: ObjectNames.requireJwt(service.name), namespace: service.namespace, ...dryRun(service.jwtRequirement.enforcement),
    } : undefined),
    (model, { service }) => renderRequireJwtPolicy(model, service)),
    ...SERVICE_POLICIES,
    single('DestinationRule', ({ service }) => (service.inMesh ? undefined
      : { id: 'PlaintextDestinationRule', name: ObjectNames.plaintextDestinationRule(service.name), namespace: service.namespace }),
    (model, { service }) => renderPlaintextDestinationRule(model, service)),
  ],
  egressPolicy: [
    single('Sidecar', (policy, mesh) => ({
      id: 'EgressSidecar', name: EdgeObjectNames.egressSidecar, namespace: policy.scope.kind === 'mesh' ? mesh.rootNamespace : policy.scope.namespace,
    }), (model, policy) => renderEgressSidecar(model, policy)),
  ],
  accessLogging: [
    single('Telemetry', (logging, mesh) => ({
      id: 'AccessLogging', name: EdgeObjectNames.accessLogging(logging.namespace), namespace: logging.namespace ?? mesh.rootNamespace,
    }), (model, logging) => renderAccessLogging(model, logging)),
  ],
  gateway: [
    single('Gateway', (gateway) => ({ id: 'Gateway', name: EdgeObjectNames.gateway(gateway.name), namespace: gateway.namespace }),
      (model, gateway) => renderGateway(model, gateway)),
    single('RequestAuthentication', (gateway) => (needsRequestAuthentication(gateway.jwtRequirement, gateway.intentions)
      ? { id: 'RequestAuthentication', name: EdgeObjectNames.gatewayRequestAuthentication(gateway.name), namespace: gateway.namespace } : undefined),
    (model, gateway) => renderGatewayRequestAuthentication(model, gateway)),
    single('AuthorizationPolicy', (gateway) => (gateway.jwtRequirement ? {
      id: 'RequireJwt',
      name: EdgeObjectNames.gatewayRequireJwt(gateway.name),
      namespace: gateway.namespace,
      ...dryRun(gateway.jwtRequirement.enforcement),
    } : undefined),
    (model, gateway) => renderGatewayRequireJwtPolicy(model, gateway)),
    ...GATEWAY_POLICIES,
  ],
  gatewayRoute: [
    single('VirtualService', ({ gateway, service }) => ({
      id: `Route-${gateway.name}`, name: EdgeObjectNames.route(service.name, gateway.name), namespace: service.namespace,
    }), (model, { gateway, service }) => renderGatewayRoute(model, gateway, service)),
  ],
  externalService: [
    single('ServiceEntry', (external) => ({ id: `ServiceEntry-${external.name}`, name: external.name, namespace: external.namespace }),
      (model, external) => renderServiceEntry(model, external)),
    {
      kind: 'DestinationRule',
      declare: (external) => egressTlsObjects(external).map((o) => ({ ...o, id: `DestinationRule-${o.name}` })),
      render: (model, external) => renderEgressTlsDestinationRules(model, external),
    },
  ],
  plaintextException: [
    single('DestinationRule', (exception) => ({
      id: `DestinationRule-${exception.name}`, name: exception.name, namespace: exception.namespace, annotations: plaintextExceptionAnnotations(exception),
    }),
    (model, exception) => renderPlaintextExceptionDestinationRule(model, exception)),
  ],
};

/** The TLS-origination DestinationRules of an external host: one beside it (SIMPLE), or one per client workload (MUTUAL). */
function egressTlsObjects(external: ExternalServiceSpec): { name: string; namespace: string }[] {
  const tls = external.tls;
  if (!tls) return [];
  if (tls.mode === 'SIMPLE') return [{ name: EdgeObjectNames.egressTls(external.name), namespace: external.namespace }];
  return tls.clients.map((client) => ({ name: EdgeObjectNames.egressMutualTls(external.name, client.name), namespace: client.namespace }));
}
