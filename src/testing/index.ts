// trustmesh/testing: helpers for users' own test suites (vitest or jest).
export { synthYaml, redact } from './synth';
export type { SynthYamlOptions } from './synth';
export { access, AccessCheck, AccessFrom, AccessProbe, AccessTo } from './access';
export type { AccessSource, ProbeRequest, ProbeToken } from './access';
export { GatewayAccess, GatewayProbe } from './gateway-access';
export type { GatewayClientOptions, ThroughGatewayOptions } from './gateway-access';
export { accessMatchers } from './matchers';
export type { MatcherResult } from './matchers';
