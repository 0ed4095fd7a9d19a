// The public API of trustmesh: explicit named exports only.

// Errors and diagnostics
export { TrustmeshError, TrustmeshAggregateError, formatDiagnostic, formatLocation } from './errors';
export type { Diagnostic, ErrorCode, Severity, SourceLocation, TrustmeshErrorOptions } from './errors';

// Constructs
export { TrustmeshApp } from './constructs/trustmesh-app';
export type { TrustmeshAppProps, ManifestRecord, ManifestValidator, SynthOutput } from './constructs/trustmesh-app';
export { schemaValidator } from './constructs/trustmesh-app';
export { Mesh } from './constructs/mesh';
export type { MeshProps } from './constructs/mesh-props';
export { NetworkPolicies } from './constructs/network-policies';
export type { MirrorIntentionsOptions, NetworkPodSelection } from './constructs/network-policies';
export { MeshNamespace } from './constructs/mesh-namespace';
export type { MeshNamespaceProps } from './constructs/mesh-namespace';
export { MeshService } from './constructs/mesh-service';
export type { AllowEndUsersOptions, MeshServiceAttributes, MeshServiceProps, RequireJwtOptions } from './constructs/mesh-service';
export { DefaultAccess, Enforcement, HttpMethod, LegacyAuthorization, MtlsMode } from './constructs/enums';
export { Port } from './constructs/port';
export type { PortOptions } from './constructs/port';
export { JwtIssuer } from './constructs/jwt-issuer';
export type { JwtIssuerProps } from './constructs/jwt-issuer';
export { EndUsers, Peer } from './constructs/peer';
export type { EndUsersOptions, IMeshPeer } from './constructs/peer';
export type { AccessMatchOptions, AccessOptions } from './constructs/access-options';

// Mesh edges: ingress gateways, egress, plaintext exceptions, access logging
export { IngressGateway } from './constructs/ingress-gateway';
export type {
  GatewayAccessMatchOptions, GatewayAccessOptions, GatewayEndUsersOptions, GatewayRequireJwtOptions, GatewayRouteOptions,
  HttpServerOptions, HttpsServerOptions, IngressGatewayProps,
} from './constructs/ingress-gateway-options';
export { GatewayTls, TlsVersion } from './constructs/gateway-tls';
export type { GatewayTlsOptions, MutualGatewayTlsOptions } from './constructs/gateway-tls';
export { GatewayCredential } from './constructs/gateway-credential';
export type { ExistingGatewayCredentialOptions, GatewayCredentialFromCaOptions } from './constructs/gateway-credential';
export { RouteMatch } from './constructs/route-match';
export { ClientCredential } from './constructs/client-credential';
export type { ClientCredentialFromCaOptions } from './constructs/client-credential';
export { EgressPort, EgressTls } from './constructs/egress';
export type {
  AllowEgressOptions, EgressPortOptions, EgressTlsOptions, LockDownEgressOptions, MutualEgressTlsOptions, SimpleEgressTlsOptions,
} from './constructs/egress';
export { KubernetesApiServer } from './constructs/kubernetes-api-server';
export type { IPlaintextDestination, KubernetesApiServerOptions } from './constructs/kubernetes-api-server';
export { AccessLogFilter, AccessLogFormat, trustmeshAccessLogExtensionProvider } from './constructs/access-logging';
export type { AccessLoggingOptions } from './constructs/access-logging';
export { SecretChart } from './constructs/secret-chart';
export { OutputFile } from './constructs/output-file';
export type { OutputFileProps } from './constructs/output-file';
export { registerDiagnostics } from './constructs/diagnostics';
export { runSynth } from './synth-entry';

// CA bootstrap and certificates (async, before synth) and the constructs that emit them
export { CertificateAuthority } from './constructs/certificate-authority';
export type {
  CertificateAuthorityProps, ExistingCertificateAuthorityOptions, GatewayCredentialOptions, ICertificateAuthority,
} from './constructs/certificate-authority';
export type { MeshCertificateAuthorityOptions } from './constructs/mesh-props';
export { PluginCaSecret } from './constructs/plugin-ca-secret';
export type { PluginCaSecretProps } from './constructs/plugin-ca-secret';
export { TlsSecret } from './constructs/tls-secret';
export type { TlsSecretProps } from './constructs/tls-secret';
export { TrustBundle } from './constructs/trust-bundle';
export type { TrustBundleProps } from './constructs/trust-bundle';
export { KeyStore } from './pki/key-store';
export { Pki, DEFAULT_TTL } from './pki/pki';
export { CaMaterial } from './pki/ca-material';
export { Certificate } from './pki/certificate';
export { PrivateKey } from './pki/private-key';
export { IssuedCertificate } from './pki/issued-certificate';
export { KeyAlgorithm } from './pki/key-algorithm';
export { KeyGenerator } from './pki/key-generator';
export { Clock } from './pki/clock';
export { SpiffeId } from './pki/spiffe-id';
export { verifyChain } from './pki/chain-verifier';
export { parseTtl } from './pki/ttl';
export { inspectionToJson } from './pki/store-inspection';
export type { IssueCredentialOptions, KeyStoreInitOptions, KeyStoreInitReport, KeyStoreOptions, StoreReport } from './pki/key-store';
export type { StoreChange } from './pki/store-issuance';
export type { InspectedCertificate, StoreInspection } from './pki/store-inspection';
export type { KeyGenerationProgress } from './pki/key-generator';
export type {
  ClientCertificateOptions, IntermediateCaOptions, PkiOptions, RootCaOptions, ServerCertificateOptions, WorkloadCertificateOptions,
} from './pki/pki';
export type { CertificateInfo } from './pki/certificate';
export type { ChainProblem, ChainVerification } from './pki/chain-verifier';
export type { KeyAlgorithmName } from './pki/key-algorithm';
export type { CaMaterialInput, ClusterCaMaterial, CredentialMaterial, RotationPhase } from './pki/ca-material';

// Reference workloads (ServiceAccount, Service, Deployment with the Istio sidecar)
export { ReferenceWorkload } from './constructs/reference-workload';
export type { ReferenceWorkloadOptions, HttpProbeOptions, WorkloadProbes, WorkloadSidecarMode } from './constructs/reference-workload';
export { SidecarInjection, InterceptionMode } from './constructs/sidecar-injection';
export type { SidecarInjectionOptions, ManualInjectionOptions, SidecarTrafficOptions, SidecarInjectionMode } from './constructs/sidecar-injection';
export { StandaloneIdentity } from './constructs/standalone-identity';
export type { StandaloneIdentityOptions, SvidPem } from './constructs/standalone-identity';
export { injectSidecar, renderInjection } from './render/sidecar/inject';
export type { Injection, InjectionInput } from './render/sidecar/inject';
export { istioIptablesArgs, trafficAnnotations } from './render/sidecar/traffic';
export type { TrafficSettings } from './render/sidecar/traffic';
export type { SidecarSettings } from './render/sidecar/sidecar-settings';
export type { PodTemplate } from './model/pod-types';
export type { WorkloadRef } from './render/sidecar/proxy-container';

// Validation of manifests (Istio CRD schemas with CEL rules, Kubernetes schemas)
export { validateManifests, assertValidManifests } from './validate/manifest-validator';
export type { ValidateManifestsOptions } from './validate/manifest-validator';
export { CrdSchemaSet } from './validate/crd-schema';
export type { CrdFileOptions, CrdLookup, CrdYamlOptions } from './validate/crd-schema';
export type { CrdDefinition, CrdScope, CrdSchemaSource, CrdSchemaDocument } from './validate/crd-definition';

// The intent model (plain data) and its renderer
export { MeshModel } from './model/mesh-model';
export type { DefaultAccess as DefaultAccessName, LegacyAuthorization as LegacyAuthorizationName, MeshSpec, NamespaceSpec, ServiceSpec } from './model/mesh-spec';
export type {
  ClaimRequirement, EndUserRequirement, Enforcement as EnforcementName, HeaderMatchSpec, IntentionAction, IntentionSpec,
  JwtRequirementSpec, MatchSpec, PeerSpec, ServiceRef,
} from './model/intention';
export type { JwtHeaderLocation, JwtIssuerSpec } from './model/jwt-issuer';
export type { MtlsMode as MtlsModeName } from './model/mtls';
export type { PortProtocol, ServicePortSpec } from './model/service-port';
export { parseIstioVersion, formatIstioVersion } from './model/istio-version';
export type { IstioVersion } from './model/istio-version';
export { renderIstio } from './render/istio/render-istio';
export type { IstioManifest } from './render/istio/manifest';
export type { IstioKind } from './model/api-version';

// Analysis of Istio YAML (ours or hand-written): loading, the offline evaluator
export { loadConfig, parseConfigText, assertValidConfig, buildIstioConfig } from './analysis/config/load-config';
export type { LoadConfigOptions } from './analysis/config/load-config';
export { loadMeshConfig, parseMeshConfig, meshConfig, DEFAULT_MESH_CONFIG } from './analysis/config/mesh-config';
export type { MeshConfig } from './analysis/config/mesh-config';
export { createEvaluator, evaluate, evaluatorFor } from './analysis/evaluator/evaluate';
export { createAnalysisContext } from './analysis/evaluator/analysis-context';
export type { AnalysisContext, AnalysisContextOptions } from './analysis/evaluator/analysis-context';
export type { Evaluator, EvaluatorOptions } from './analysis/evaluator/evaluate';
export type { WorkloadPolicies } from './analysis/evaluator/policy-index';
export type {
  AuthorizationPolicyResource, AuthorizationPolicySpec, IstioConfig, IstioResource, LoadedObject, ObjectMeta, ObjectSource,
  PeerAuthenticationResource, PeerAuthenticationSpec, RequestAuthenticationResource, RequestAuthenticationSpec, ServiceResource, Workload,
} from './analysis/config/istio-config';
export { parseAccessRequestDocument } from './analysis/evaluator/request-document';
export type { ParsedRequestDocument } from './analysis/evaluator/request-document';
export { parseAccessRequest } from './semantics/parse-access-request';
export type {
  AccessDecision, AccessOutcome, AccessRequest, AccessRequestDestination, AccessRequestSource, CustomAuthzResult, DecidingPolicy,
  DryRunResult, IgnoredPolicy, InvalidJwt, JwtLocation, RequestJwt, ValidJwt,
} from './semantics/access-request';
export type { RequestOrigin } from './semantics/parse-access-request';
export { decide } from './model/decide';
export { evaluateThroughGateway, forwardedRequest } from './analysis/evaluator/through-gateway';
export type { IngressBackend, IngressDecision } from './analysis/evaluator/through-gateway';
export type { DecideOptions, ModelDecision } from './model/decide';
export type { PathNormalization } from './semantics/path-normalization';

// Access matrix and semantic diff
export { buildAccessMatrix } from './analysis/matrix/matrix';
export type { AccessMatrix, MatrixCell, MatrixCellGroup, MatrixColumn } from './analysis/matrix/matrix';
export type { MatrixSource, MatrixSourceKind } from './analysis/access/sources';
export type { MatrixDestination, MatrixDestinationKind } from './analysis/access/destinations';
export type { AccessRuleSummary, PortAccessSummary, TokenRequirement, ValueSet } from './analysis/access/cell-summary';
export type { AccessStatus } from './analysis/access/access-sets';
export { formatMatrix, matrixToJson, MATRIX_FORMATS } from './analysis/matrix/matrix-format';
export type { MatrixFormat } from './analysis/matrix/matrix-format';
export { diffAccess, CHANGE_ORDER } from './analysis/diff/diff';
export type { AccessChange, AccessChangeKind, AccessDiff, AccessState } from './analysis/diff/diff';
export { formatDiff, diffToJson, DIFF_FORMATS } from './analysis/diff/diff-format';
export type { DiffFormat, DiffFormatOptions } from './analysis/diff/diff-format';
export { analyzeAccess } from './analysis/access/access-analysis';
export type { AccessAnalysis, AccessAnalysisOptions, AnalyzedDestination } from './analysis/access/access-analysis';
export { loadConfigSources, loadGitSource, parseGitSource } from './analysis/config/git-source';
export type { GitSource, GitSourceOptions } from './analysis/config/git-source';

// Analyzer (lint) and the cdk8s validation plugin
export { analyze, analyzerChecks, analyzerCheck, formatFinding, sortDiagnostics, countSeverities, INVENTORY_MODES } from './analysis/analyzer/analyzer';
export type { AnalyzeOptions, AnalyzerCheck, InventoryMode, ManifestCheck, ManifestCheckOptions } from './analysis/analyzer/analyzer';
export { TrustmeshValidation } from './cdk8s-plugin/trustmesh-validation';
export type { TrustmeshValidationProps } from './cdk8s-plugin/trustmesh-validation';
export type {
  ValidationContextLike, ValidationReportLike, ValidationLoggerLike, ValidationViolation, ValidationViolatingResource,
} from './cdk8s-plugin/validation-contract';
