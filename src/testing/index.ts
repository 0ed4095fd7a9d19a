// trustmesh/testing: helpers for users' own test suites (vitest or jest).
export { synthYaml, redact } from './synth';
export type { SynthYamlOptions } from './synth';
export { access, AccessCheck, AccessFrom, AccessTo } from './access';
export type { AccessSource, ProbeRequest } from './access';
export { AccessProbe } from './access-probe';
export type { ProbeToken } from './access-probe';
export { CaRedaction } from './ca-redaction';
export { testCertificateAuthority, TEST_CA_ISSUED_AT } from './test-ca';
export type { TestCertificateAuthorityOptions, TestClientCredential, TestGatewayCredential } from './test-ca';
export { GatewayAccess, GatewayProbe } from './gateway-access';
export type { GatewayClientOptions, ThroughGatewayOptions } from './gateway-access';
export { accessMatchers } from './matchers';
export type { MatcherResult } from './matchers';
