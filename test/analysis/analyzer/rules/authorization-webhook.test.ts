// Webhook-only AuthorizationPolicy rules as analyzer findings — istioctl IST0106 SchemaValidationError,
// IST0133 SchemaWarning (istiod's ValidateAuthorizationPolicy, pkg/config/validation/validation.go).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, fixture, lineOf, where } from './fixture';
import { loadMeshConfig } from '../../../../src/analysis/config/mesh-config';

const POSITIVE = 'authorization-webhook/positive.yaml';
const NEGATIVE = 'authorization-webhook/negative.yaml';
const CODES = ['TM_AUTHZ_ACTION_WITHOUT_RULES', 'TM_AUTHZ_EMPTY_MATCH', 'TM_AUTHZ_CUSTOM_INVALID', 'TM_AUTHZ_UNKNOWN_PROVIDER'];

describe('authorization webhook rules', () => {
  const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));

  it('reports DENY and CUSTOM without rules at the action', () => {
    const d = found.filter((x) => x.code === 'TM_AUTHZ_ACTION_WITHOUT_RULES');
    expect(d.map(where)).toEqual([`positive.yaml:${lineOf(POSITIVE, 'action: DENY')}`, `positive.yaml:${lineOf(POSITIVE, 'action: CUSTOM')}`]);
    expect(d.every((x) => x.severity === 'error' && x.upstreamCode === 'IST0106')).toBe(true);
    expect(d[0].fix).toMatch(/rules: \[\{\}\]/);
  });

  it('reports an empty operation, a condition without values and empty values; from: [] as a warning (it matches any source)', () => {
    const d = found.filter((x) => x.code === 'TM_AUTHZ_EMPTY_MATCH');
    expect(d.map((x) => [where(x), x.location?.field, x.severity, x.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'from: []')}`, 'spec.rules[0].from', 'warning', 'IST0133'],
      [`positive.yaml:${lineOf(POSITIVE, 'operation: {}')}`, 'spec.rules[1].to[0].operation', 'error', 'IST0106'],
      [`positive.yaml:${lineOf(POSITIVE, 'key: request.headers[x-env]')}`, 'spec.rules[2].when[0]', 'error', 'IST0106'],
      [`positive.yaml:${lineOf(POSITIVE, 'methods: [""]')}`, 'spec.rules[3].to[0].operation.methods[0]', 'error', 'IST0106'],
      // The plain bug of issue 15: an empty string in a when condition's values.
      [`positive.yaml:${lineOf(POSITIVE, 'values: [prod, ""]')}`, 'spec.rules[4].when[0].values[1]', 'error', 'IST0106'],
    ]);
    expect(d[4].message).toMatch(/^AuthorizationPolicy foo\/empty-matches: spec\.rules\[4\]\.when\[0\]\.values\[1\]: values must not be empty strings/);
  });

  it('reports the CUSTOM restrictions: provider.name, identity fields and conditions, provider with ALLOW', () => {
    const d = found.filter((x) => x.code === 'TM_AUTHZ_CUSTOM_INVALID');
    expect(d.map((x) => x.message.replace(/^AuthorizationPolicy foo\//, ''))).toEqual([
      'custom-identity: spec.action: action CUSTOM needs provider.name (the extension provider that decides)',
      'custom-identity: spec.rules[0].from[0].source.principals: principals is not supported with action CUSTOM',
      'custom-identity: spec.rules[0].when[0].key: condition request.auth.claims[group] is not supported with action CUSTOM',
      'allow-with-provider: spec.provider: provider is only allowed with action CUSTOM, not ALLOW',
    ]);
  });

  it('stays quiet for deny-all, allow-nothing and a well-formed CUSTOM policy', () => {
    expect(analyzeFixture(NEGATIVE).filter((d) => CODES.includes(d.code))).toEqual([]);
  });

  it('checks CUSTOM providers against the MeshConfig when one is given', () => {
    const meshConfig = loadMeshConfig(fixture('authorization-webhook/mesh-config.yaml'));
    const unknown = analyzeFixture('authorization-webhook/unknown-provider.yaml', { meshConfig });
    expect(unknown.map((d) => [d.code, d.severity])).toEqual([['TM_AUTHZ_UNKNOWN_PROVIDER', 'error']]);
    expect(unknown[0].message).toMatch(/provider "opa" is not among the MeshConfig's extensionProviders \(ext-authz\)/);
    expect(analyzeFixture(NEGATIVE, { meshConfig })).toEqual([]);
    // Without a MeshConfig the providers are unknown, so nothing is claimed.
    expect(analyzeFixture('authorization-webhook/unknown-provider.yaml')).toEqual([]);
  });
});
