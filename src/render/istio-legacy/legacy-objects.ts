/**
 * The Istio objects of a legacy target (Istio 1.0–1.4), in the shape of {@link ISTIO_OBJECTS} and
 * for the same declarations: authentication Policy / MeshPolicy instead of PeerAuthentication and
 * RequestAuthentication, `*.local` and per-service client DestinationRules (no automatic mTLS
 * before 1.5), (Cluster)RbacConfig with ServiceRole / ServiceRoleBinding instead of
 * AuthorizationPolicy. Networking kinds are the v1 renderers' at `v1alpha3`. What the legacy APIs
 * cannot say is refused by the declaring verb (TM_VERSION_UNSUPPORTED_FEATURE, naming the
 * minimum release). docs/legacy-target.md is the version table this follows.
 *
 * @module
 */
import {
  exceptionPorts, renderMeshPolicy, renderNamespacePolicy, renderPortPolicy, renderServicePolicy, verifiesTokens,
} from './authentication-policy';
import { renderLegacyAuthorizationPolicy } from './authorization-policy';
import { renderMeshClientTls, renderNamespaceClientTls, renderServiceClientTls } from './client-tls';
import { renderLegacyGateway } from './gateway';
import { assertLegacyIntention } from './legacy-checks';
import { assertLegacySupports, legacyCannotExpress } from './legacy-errors';
import { LegacyNames } from './legacy-names';
import { allowIntentions, renderRbacConfig, renderServiceRoleBindings, renderServiceRoles, serviceRoleNames } from './rbac';
import { IstioKind } from '../../model/api-version';
import { IntentionSpec } from '../../model/intention';
import { IstioFeature, isLegacyTarget, IstioVersion, supports } from '../../model/istio-version';
import { LegacyAuthorization } from '../../model/mesh-spec';
import { DeclaredObject, ISTIO_OBJECTS, IstioObjectSlot, IstioObjectTable, MeshContext, single } from '../istio/istio-objects';

/** A slot of several objects of one kind, named by the declaration. */
function several<S>(kind: IstioKind, declare: (subject: S, mesh: MeshContext) => readonly DeclaredObject[],
  render: IstioObjectSlot<S>['render']): IstioObjectSlot<S> {
  return { kind, declare, render };
}

/** The v1 slot of `kind` among `slots` (networking kinds render the same, at v1alpha3). */
function v1Slot<S>(slots: readonly IstioObjectSlot<S>[], kind: IstioKind): IstioObjectSlot<S> {
  return slots.find((s) => s.kind === kind)!;
}

/** Refuses, at declaration, intentions the legacy APIs cannot hold (DENY, AUDIT, dry-run). */
function checkIntentions(intentions: readonly IntentionSpec[], mesh: MeshContext, where: string): void {
  for (const i of intentions) {
    if (i.action === 'DENY') assertLegacySupports(mesh.istioVersion, IstioFeature.DENY_ACTION, where);
    if (i.action === 'AUDIT') assertLegacySupports(mesh.istioVersion, IstioFeature.AUDIT_ACTION, where);
    if (i.enforcement === 'DRY_RUN') assertLegacySupports(mesh.istioVersion, IstioFeature.DRY_RUN, where);
  }
}

const isRbac = (kind: 'RbacConfig' | 'ClusterRbacConfig', version: IstioVersion): boolean =>
  (kind === 'ClusterRbacConfig') === supports(version, IstioFeature.CLUSTER_RBAC_CONFIG);

/** Every object of a legacy target, by the declaration it belongs to, in output order. */
export const LEGACY_ISTIO_OBJECTS: IstioObjectTable = {
  mesh: [
    single('MeshPolicy', () => ({ id: 'MeshPolicy', name: LegacyNames.default, namespace: '' }), (model) => renderMeshPolicy(model)),
    single('DestinationRule', (mesh) => ({ id: 'MeshClientTls', name: LegacyNames.meshMtlsDestinationRule, namespace: mesh.rootNamespace }),
      (model) => renderMeshClientTls(model)),
    ...(['RbacConfig', 'ClusterRbacConfig'] as const).map((kind) => single<MeshContext>(kind,
      (mesh) => (isRbac(kind, mesh.istioVersion)
        ? { id: kind, name: LegacyNames.default, namespace: kind === 'RbacConfig' ? mesh.rootNamespace : '' } : undefined),
      (model) => (isRbac(kind, model.spec.istioVersion) ? renderRbacConfig(model) : undefined))),
  ],
  namespace: [
    single('Policy', (ns) => (ns.mtls ? { id: 'Policy', name: LegacyNames.default, namespace: ns.name } : undefined),
      (model, ns) => renderNamespacePolicy(model, ns.name)),
    single('DestinationRule', (ns) => (ns.mtls ? { id: 'ClientTls', name: LegacyNames.namespaceClientTls, namespace: ns.name } : undefined),
      (model, ns) => renderNamespaceClientTls(model, ns.name)),
  ],
  service: [
    single('Policy', ({ service, intentions }) => ((service.mtls || verifiesTokens(service, intentions))
      && exceptionPorts(service, verifiesTokens(service, intentions)).length < Math.max(service.ports.length, 1)
      ? { id: 'Policy', name: LegacyNames.servicePolicy(service.name), namespace: service.namespace } : undefined),
    (model, { service }) => renderServicePolicy(model, service)),
    several('Policy', ({ service, intentions }) => exceptionPorts(service, verifiesTokens(service, intentions)).map((port) => ({
      id: `Policy-port-${port}`, name: LegacyNames.portPolicy(service.name, port), namespace: service.namespace,
    })), (model, { service }) => exceptionPorts(service, verifiesTokens(service, model.intentionsFor(service)))
      .map((port) => renderPortPolicy(model, service, port)!)),
    single('DestinationRule', ({ service }) => (service.inMesh && (service.mtls || service.ports.some((p) => p.mtls))
      ? { id: 'ClientTls', name: LegacyNames.clientTlsDestinationRule(service.name), namespace: service.namespace } : undefined),
    (model, { service }) => renderServiceClientTls(model, service)),
    v1Slot(ISTIO_OBJECTS.service, 'DestinationRule'),
    several('ServiceRole', ({ service, intentions }, mesh) => {
      checkIntentions(intentions, mesh, `intentions towards ${service.namespace}/${service.name}`);
      return serviceRoleNames(service.name, intentions).map((name) => ({ id: `ServiceRole-${name}`, name, namespace: service.namespace }));
    }, (model, { service }) => renderServiceRoles(model, service)),
    several('ServiceRoleBinding', ({ service, intentions }) => serviceRoleNames(service.name, intentions).map((role) => {
      const name = LegacyNames.serviceRoleBinding(role);
      return { id: `ServiceRoleBinding-${name}`, name, namespace: service.namespace };
    }), (model, { service }) => { allowIntentions(model, service); return renderServiceRoleBindings(model, service); }),
  ],
  egressPolicy: ISTIO_OBJECTS.egressPolicy.map((slot) => ({
    ...slot,
    declare: (policy, mesh) => {
      assertLegacySupports(mesh.istioVersion, IstioFeature.SIDECAR, 'the egress policy');
      return slot.declare(policy, mesh);
    },
  })),
  accessLogging: ISTIO_OBJECTS.accessLogging,
  gateway: [
    single('Gateway', (gateway, mesh) => {
      if (gateway.jwtRequirement || gateway.intentions.length > 0) {
        legacyCannotExpress(mesh.istioVersion, 'authorization and end-user tokens at the ingress gateway', `gateway ${gateway.namespace}/${gateway.name}`);
      }
      return v1Slot(ISTIO_OBJECTS.gateway, 'Gateway').declare(gateway, mesh)[0];
    }, (model, gateway) => renderLegacyGateway(model, gateway)),
  ],
  gatewayRoute: ISTIO_OBJECTS.gatewayRoute,
  externalService: ISTIO_OBJECTS.externalService,
  plaintextException: ISTIO_OBJECTS.plaintextException,
};

const RBAC_KINDS: ReadonlySet<IstioKind> = new Set(['RbacConfig', 'ClusterRbacConfig', 'ServiceRole', 'ServiceRoleBinding']);
const withoutRbac = <S>(slots: readonly IstioObjectSlot<S>[]): IstioObjectSlot<S>[] => slots.filter((s) => !RBAC_KINDS.has(s.kind));

/**
 * The objects of Istio 1.4 with `legacyAuthorization: AUTHORIZATION_POLICY`: the legacy table with
 * `security.istio.io/v1beta1` AuthorizationPolicy instead of RBAC — an allow-nothing policy per
 * default-deny namespace (1.4: a policy without rules allows nothing) and `<service>-allow` per
 * service with ALLOW intentions; no ClusterRbacConfig (1.4 consults RBAC only for workloads no
 * AuthorizationPolicy selects, and with none RBAC is off).
 */
export const LEGACY_AUTHORIZATION_POLICY_OBJECTS: IstioObjectTable = {
  ...LEGACY_ISTIO_OBJECTS,
  mesh: withoutRbac(LEGACY_ISTIO_OBJECTS.mesh),
  namespace: [...LEGACY_ISTIO_OBJECTS.namespace, v1Slot(ISTIO_OBJECTS.namespace, 'AuthorizationPolicy')],
  service: [
    ...withoutRbac(LEGACY_ISTIO_OBJECTS.service),
    single('AuthorizationPolicy', ({ service, intentions }, mesh) => {
      checkIntentions(intentions, mesh, `intentions towards ${service.namespace}/${service.name}`);
      for (const i of intentions) assertLegacyIntention(mesh.istioVersion, i, 'AUTHORIZATION_POLICY');
      return intentions.some((i) => i.action === 'ALLOW')
        ? { id: 'Allow', name: LegacyNames.authorizationPolicy(service.name), namespace: service.namespace } : undefined;
    }, (model, { service }) => renderLegacyAuthorizationPolicy(model, service)),
  ],
};

/** The legacy table for an authorization API (RBAC unless the mesh asks for AuthorizationPolicy). */
function legacyTable(authorization: LegacyAuthorization | undefined): IstioObjectTable {
  return authorization === 'AUTHORIZATION_POLICY' ? LEGACY_AUTHORIZATION_POLICY_OBJECTS : LEGACY_ISTIO_OBJECTS;
}

/**
 * The object slots a declaration calls for on a target: `slots` (an entry of {@link ISTIO_OBJECTS})
 * itself, or its legacy counterpart before Istio 1.5 (for the mesh's `legacyAuthorization`).
 */
export function slotsForTarget<S>(version: IstioVersion, slots: readonly IstioObjectSlot<S>[],
  authorization?: LegacyAuthorization): readonly IstioObjectSlot<S>[] {
  if (!isLegacyTarget(version)) return slots;
  const table = legacyTable(authorization);
  for (const key of Object.keys(ISTIO_OBJECTS) as (keyof IstioObjectTable)[]) {
    if (ISTIO_OBJECTS[key] === (slots as unknown)) return table[key] as unknown as readonly IstioObjectSlot<S>[];
  }
  return slots;
}

/** The object table of a target (and, before 1.5, of its `legacyAuthorization`). */
export function objectTableFor(version: IstioVersion, authorization?: LegacyAuthorization): IstioObjectTable {
  return isLegacyTarget(version) ? legacyTable(authorization) : ISTIO_OBJECTS;
}
