/**
 * The analyzer's rules, in the order they run (the output is sorted by location afterwards).
 *
 * @module
 */
import { authorizationWebhookRule } from './authorization-webhook';
import { denyHttpFieldsWithoutPortsRule } from './deny-http-fields-without-ports';
import { destinationRuleTlsRule } from './destination-rule-tls';
import { gatewayCredentialsRule } from './gateway-credentials';
import { gatewayServersRule } from './gateway-servers';
import { ipBlocksUnderStrictMtlsRule } from './ip-blocks-under-strict-mtls';
import { jwtRequirementsRule } from './jwt-requirements';
import { legacyApiRule } from './legacy-api';
import { mtlsFieldsWithoutMtlsRule } from './mtls-fields-without-mtls';
import { pathNeverMatchesRule } from './path-never-matches';
import { pathNormalizationBypassRule } from './path-normalization-bypass';
import { peerAuthenticationConflictsRule } from './peer-authentication-conflicts';
import { referenceNotFoundRule } from './reference-not-found';
import { AnalyzerRule } from './rule-types';
import { selectorNoWorkloadRule } from './selector-no-workload';
import { sidecarOutboundPolicyRule } from './sidecar-outbound-policy';
import { virtualServiceTlsRoutesRule } from './virtual-service-tls-routes';
import { webhookRules } from './webhook-rules';

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
  webhookRules,
];
