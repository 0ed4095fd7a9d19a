/**
 * The analyzer's rules, in the order they run (the output is sorted by location afterwards).
 *
 * @module
 */
import { apiInTargetRule } from './api-in-target';
import { applicationUidRule } from './application-uid';
import { authorizationWebhookRule } from './authorization-webhook';
import { denyHttpFieldsWithoutPortsRule } from './deny-http-fields-without-ports';
import { deploymentServicesRule } from './deployment-services';
import { deprecatedFieldsRule } from './deprecated-fields';
import { destinationRuleHostsRule } from './destination-rule-hosts';
import { destinationRuleTlsRule } from './destination-rule-tls';
import { gatewayApiSelectorsRule } from './gateway-api-selectors';
import { gatewayCredentialsRule } from './gateway-credentials';
import { gatewayDuplicateCertificatesRule } from './gateway-duplicate-certificates';
import { gatewayServersRule } from './gateway-servers';
import { gatewayWorkloadsRule } from './gateway-workloads';
import { ipBlocksUnderStrictMtlsRule } from './ip-blocks-under-strict-mtls';
import { jwksFetchRestrictionRule } from './jwks-fetch-restriction';
import { jwtRequirementsRule } from './jwt-requirements';
import { legacyApiRule } from './legacy-api';
import { legacyReferencesRule } from './legacy-references';
import { mtlsFieldsWithoutMtlsRule } from './mtls-fields-without-mtls';
import { pathNeverMatchesRule } from './path-never-matches';
import { pathNormalizationBypassRule } from './path-normalization-bypass';
import { peerAuthenticationConflictsRule } from './peer-authentication-conflicts';
import { proxyImageRule } from './proxy-image';
import { referenceNotFoundRule } from './reference-not-found';
import { AnalyzerRule } from './rule-types';
import { selectorNoWorkloadRule } from './selector-no-workload';
import { serviceEntryPortsRule } from './service-entry-ports';
import { servicePortsRule } from './service-ports';
import { sidecarInjectionRule } from './sidecar-injection';
import { sidecarOutboundPolicyRule } from './sidecar-outbound-policy';
import { statusConditionsRule } from './status-conditions';
import { telemetryProvidersRule } from './telemetry-providers';
import { virtualServiceDestinationsRule } from './virtual-service-destinations';
import { virtualServiceGatewaysRule } from './virtual-service-gateways';
import { virtualServiceJwtClaimRoutesRule } from './virtual-service-jwt-claim-routes';
import { virtualServiceMeshHostsRule } from './virtual-service-mesh-hosts';
import { virtualServiceTlsRoutesRule } from './virtual-service-tls-routes';
import { virtualServiceUnreachableRulesRule } from './virtual-service-unreachable-rules';
import { webhookRules } from './webhook-rules';
import { workloadSelectorConflictsRule } from './workload-selector-conflicts';

/** Every rule of the analyzer. */
export const ALL_RULES: readonly AnalyzerRule[] = [
  authorizationWebhookRule,
  denyHttpFieldsWithoutPortsRule,
  pathNormalizationBypassRule,
  mtlsFieldsWithoutMtlsRule,
  ipBlocksUnderStrictMtlsRule,
  pathNeverMatchesRule,
  jwtRequirementsRule,
  selectorNoWorkloadRule,
  referenceNotFoundRule,
  peerAuthenticationConflictsRule,
  destinationRuleTlsRule,
  sidecarOutboundPolicyRule,
  gatewayServersRule,
  gatewayCredentialsRule,
  virtualServiceTlsRoutesRule,
  legacyApiRule,
  apiInTargetRule,
  legacyReferencesRule,
  webhookRules,
  virtualServiceDestinationsRule,
  virtualServiceGatewaysRule,
  virtualServiceMeshHostsRule,
  virtualServiceUnreachableRulesRule,
  virtualServiceJwtClaimRoutesRule,
  sidecarInjectionRule,
  proxyImageRule,
  applicationUidRule,
  workloadSelectorConflictsRule,
  telemetryProvidersRule,
  servicePortsRule,
  deploymentServicesRule,
  gatewayWorkloadsRule,
  gatewayDuplicateCertificatesRule,
  gatewayApiSelectorsRule,
  serviceEntryPortsRule,
  destinationRuleHostsRule,
  statusConditionsRule,
  jwksFetchRestrictionRule,
  deprecatedFieldsRule,
];
