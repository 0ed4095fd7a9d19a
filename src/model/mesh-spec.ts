import { EdgesSpec } from './edges';
import { IntentionSpec, JwtRequirementSpec } from './intention';
import { IstioVersion } from './istio-version';
import { JwtIssuerSpec } from './jwt-issuer';
import { MtlsMode } from './mtls';
import { ServicePortSpec } from './service-port';

/** Whether a workload without matching ALLOW intentions accepts requests. */
export type DefaultAccess = 'ALLOW' | 'DENY';

/**
 * How a legacy target renders ALLOW intentions: `rbac.istio.io` (every 1.x release) or, on Istio
 * 1.4 only, `security.istio.io/v1beta1` AuthorizationPolicy (docs/legacy-target.md).
 */
export type LegacyAuthorization = 'RBAC' | 'AUTHORIZATION_POLICY';

/** A namespace of the mesh and its overrides. */
export interface NamespaceSpec {
  readonly name: string;
  readonly mtls?: MtlsMode;
  readonly defaultAccess?: DefaultAccess;
}

/** A service: its identity, workload labels and ports. */
export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  /** The identity policies name: `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
  readonly serviceAccount: string;
  /** Workload labels; policies select the workload with all of them. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortSpec[];
  /** Whether the workload runs with an Istio sidecar. */
  readonly inMesh: boolean;
  readonly mtls?: MtlsMode;
  /** Source addresses of an out-of-mesh service, so that it can be recognized as a caller. */
  readonly ipBlocks?: readonly string[];
  readonly jwtRequirement?: JwtRequirementSpec;
}

/** The whole declaration: plain, immutable data. The single source of truth for rendering and analysis. */
export interface MeshSpec {
  /** Mesh name (output folder). */
  readonly name: string;
  readonly trustDomain: string;
  readonly trustDomainAliases: readonly string[];
  readonly rootNamespace: string;
  /** Kubernetes cluster DNS domain used in host names (`<svc>.<ns>.svc.<clusterDomain>`). */
  readonly clusterDomain: string;
  readonly istioVersion: IstioVersion;
  /**
   * The authorization API of a legacy target (before 1.5); ignored from 1.5 on.
   * @default 'RBAC'
   */
  readonly legacyAuthorization?: LegacyAuthorization;
  readonly mtls: MtlsMode;
  readonly defaultAccess: DefaultAccess;
  readonly namespaces: readonly NamespaceSpec[];
  readonly services: readonly ServiceSpec[];
  readonly issuers: readonly JwtIssuerSpec[];
  readonly intentions: readonly IntentionSpec[];
  /**
   * Ingress gateways, egress and access logging.
   * @default - none
   */
  readonly edges?: EdgesSpec;
}
