// istiod's ValidateAuthorizationPolicy (pkg/config/validation/validation.go) and the value checks
// of pkg/config/security (ValidateAttribute, ValidateIPs, ValidatePorts, CheckServiceAccount,
// CheckTrustDomainValues, CheckValidPathTemplate), plus validateMetadata's dry-run annotation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';
import { validateWebhook } from '../../../src/validate/webhook/validate-webhook';

const AP = 'AuthorizationPolicy';
const rule = (r: Record<string, unknown>): Record<string, unknown> => ({ rules: [r] });

describe('ValidateAuthorizationPolicy', () => {
  it('admits the documented shapes: allow-nothing, deny-all, a CUSTOM policy with a provider', () => {
    expectValid(run(AP, {}));
    expectValid(run(AP, { action: 'DENY', rules: [{}] }));
    expectValid(run(AP, { action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{ to: [{ operation: { paths: ['/admin/*'], ports: ['8080'] } }] }] }));
    expectValid(run(AP, rule({
      from: [{ source: { ipBlocks: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1'], serviceAccounts: ['ns/sa', 'sa'], trustDomains: ['*.local', 'td'] } }],
      to: [{ operation: { ports: ['80', '0'], paths: ['/api/{*}/items/{**}'] } }],
      when: [{ key: 'request.headers[x-env]', values: ['prod'] }, { key: 'source.ip', notValues: ['10.0.0.1'] }, { key: 'destination.port', values: ['443'] },
        { key: 'request.auth.claims[groups]', values: ['admin'] }, { key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]'] }],
    })));
  });

  it('rejects DENY and CUSTOM without rules (rules: [] is no rules after decoding)', () => {
    expectFindings(run(AP, { action: 'DENY' }), [['error TM_AUTHZ_ACTION_WITHOUT_RULES spec.action', /DENY without rules/]]);
    expectFindings(run(AP, { action: 'CUSTOM', provider: { name: 'p' }, rules: [] }), [['error TM_AUTHZ_ACTION_WITHOUT_RULES spec.action']]);
  });

  it('rejects an empty value in a when condition (values and notValues): security.ValidateAttribute → CheckEmptyValues', () => {
    expectFindings(run(AP, rule({ when: [{ key: 'request.headers[x-env]', values: ['prod', ''], notValues: [''] }] })), [
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[0].when[0].values[1]', /empty value not allowed in condition request\.headers\[x-env\]/],
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[0].when[0].notValues[0]'],
    ]);
  });

  it('rejects empty matches, and warns that from: [] matches any source (jsonpb drops empty lists)', () => {
    expectFindings(run(AP, { rules: [{ from: [] }, { to: [{ operation: {} }] }, { when: [{ key: 'source.ip' }] }, { from: [{}] }, { when: [{ values: ['a'] }] }] }), [
      ['warning TM_AUTHZ_EMPTY_MATCH spec.rules[0].from', /matches any source/],
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[1].to[0].operation', /must not be empty/],
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[2].when[0]', /needs values or notValues/],
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[3].from[0]', /non-null source/],
      ['error TM_AUTHZ_EMPTY_MATCH spec.rules[4].when[0]', /needs a key/],
    ]);
  });

  it('rejects unknown, replaced, deprecated and malformed condition keys (ValidateAttribute)', () => {
    const keys = ['request.header[x]', 'destination.labels[app]', 'destination.namespace', 'destination.user', 'request.headers', 'request.auth.claims[]'];
    expectFindings(run(AP, rule({ when: keys.map((key) => ({ key, values: ['a'] })) })), [
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[0].key', /^unknown attribute: request\.header\[x\]$/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[1].key', /replaced by the workload selector/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[2].key', /replaced by the metadata\.namespace/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[3].key', /deprecated attribute destination\.user/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[4].key', /bad key \(request\.headers\): should have format a\[b\]/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[5].key', /should have format a\[b\]/],
    ]);
  });

  it('rejects condition values their key does not accept: IPs, ports, service accounts, trust domains', () => {
    expectFindings(run(AP, rule({
      when: [
        { key: 'source.ip', values: ['10.0.0.0/8', '10.0.0.256'] },
        { key: 'remote.ip', notValues: ['010.0.0.1'] },
        { key: 'destination.port', values: ['http'] },
        { key: 'source.serviceAccount', values: ['ns/sa/x'] },
        { key: 'source.trustDomain', values: ['a*b'] },
      ],
    })), [
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[0].values[1]', /invalid value for key source\.ip: bad IP address \(10\.0\.0\.256\)/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[1].notValues[0]', /invalid notValue for key remote\.ip/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[2].values[0]', /bad port \(http\)/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[3].values[0]', /expected format 'serviceAccount' or 'namespace\/serviceAccount'/],
      ['error TM_AUTHZ_CONDITION_INVALID spec.rules[0].when[4].values[0]', /wildcard is only allowed at the start or end/],
    ]);
  });

  it('rejects ipBlocks and ports istiod cannot parse (ValidateIPs, ValidatePorts)', () => {
    expectFindings(run(AP, rule({
      from: [{ source: { ipBlocks: ['10.0.0.0/33'], notRemoteIpBlocks: ['1.2.3.4/08', 'fe80::1%eth0'] } }],
      to: [{ operation: { ports: ['8080', '70000', '-1'], notPorts: ['80-90'] } }],
    })), [
      ['error TM_AUTHZ_IP_BLOCK_INVALID spec.rules[0].from[0].source.ipBlocks[0]', /bad CIDR range \(10\.0\.0\.0\/33\): prefix length out of range/],
      ['error TM_AUTHZ_IP_BLOCK_INVALID spec.rules[0].from[0].source.notRemoteIpBlocks[0]', /bad bits after slash/],
      ['error TM_AUTHZ_PORT_INVALID spec.rules[0].to[0].operation.ports[1]', /bad port \(70000\)/],
      ['error TM_AUTHZ_PORT_INVALID spec.rules[0].to[0].operation.ports[2]'],
      ['error TM_AUTHZ_PORT_INVALID spec.rules[0].to[0].operation.notPorts[0]'],
    ]);
  });

  it('rejects service accounts, trust domains and path templates istiod refuses', () => {
    expectFindings(run(AP, rule({
      from: [{ source: { serviceAccounts: ['ns/*', '/sa'], notTrustDomains: ['cluster.local/ns'] } }],
      to: [{ operation: { paths: ['/a/{**}/{*}', '/a/{x}', '/{*}/b c', '/a/{**}/b'] } }],
    })), [
      ['error TM_AUTHZ_SERVICE_ACCOUNT_INVALID spec.rules[0].from[0].source.serviceAccounts[0]', /wildcard not allowed/],
      ['error TM_AUTHZ_SERVICE_ACCOUNT_INVALID spec.rules[0].from[0].source.serviceAccounts[1]', /found empty namespace/],
      ['error TM_AUTHZ_TRUST_DOMAIN_INVALID spec.rules[0].from[0].source.notTrustDomains[0]', /must not contain '\/'/],
      ['error TM_AUTHZ_PATH_TEMPLATE_INVALID spec.rules[0].to[0].operation.paths[0]', /\{\*\*\} is not the last operator/],
      ['error TM_AUTHZ_PATH_TEMPLATE_INVALID spec.rules[0].to[0].operation.paths[1]', /beyond a supported path template/],
      ['error TM_AUTHZ_PATH_TEMPLATE_INVALID spec.rules[0].to[0].operation.paths[2]', /segment b c with invalid string literal/],
    ]);
    // More than 16 service accounts is the CRD's maxItems.
    expectValid(run(AP, rule({ from: [{ source: { serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa${i}`) } }] })));
  });

  it('enforces the CUSTOM restrictions: provider.name, no identity fields or identity conditions, no provider on other actions', () => {
    expectFindings(run(AP, { action: 'CUSTOM', rules: [{ from: [{ source: { principals: ['a'] } }], when: [{ key: 'source.principal', values: ['a'] }] }] }), [
      ['error TM_AUTHZ_CUSTOM_INVALID spec.action', /needs provider\.name/],
      ['error TM_AUTHZ_CUSTOM_INVALID spec.rules[0].from[0].source.principals', /principals is not supported with action CUSTOM/],
      ['error TM_AUTHZ_CUSTOM_INVALID spec.rules[0].when[0].key', /condition source\.principal is not supported/],
    ]);
    expectFindings(run(AP, { provider: { name: 'p' }, rules: [{}] }), [['error TM_AUTHZ_CUSTOM_INVALID spec.provider', /not ALLOW/]]);
  });

  it('warns when a DENY rule has only HTTP attributes and no ports (istiod counts principals, not trustDomains, as TCP)', () => {
    expectFindings(run(AP, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] }), [
      ['warning TM_DENY_HTTP_FIELDS_WITHOUT_PORTS spec.rules[0]', /denies all traffic/],
    ]);
    expectFindings(run(AP, { action: 'DENY', rules: [{ from: [{ source: { trustDomains: ['td'] } }] }] }), [['warning TM_DENY_HTTP_FIELDS_WITHOUT_PORTS spec.rules[0]']]);
    expectValid(run(AP, { action: 'DENY', rules: [{ from: [{ source: { principals: ['a'] } }] }] }));
    expectValid(run(AP, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'], ports: ['8080'] } }] }] }));
  });
});

describe('validateMetadata → checkDryRunAnnotation (istio.io/dry-run)', () => {
  const dryRun = (value: string): Record<string, unknown> => ({ annotations: { 'istio.io/dry-run': value } });

  it('takes Go booleans on ALLOW and DENY policies', () => {
    for (const v of ['true', 'false', '1', 'T', 'FALSE']) expectValid(run(AP, { rules: [{}] }, dryRun(v)));
  });

  it('rejects other values, other actions and other kinds', () => {
    expectFindings(run(AP, { rules: [{}] }, dryRun('yes')), [['error TM_DRY_RUN_ANNOTATION_INVALID metadata.annotations[istio.io/dry-run]', /invalid value "yes"/]]);
    expectFindings(run(AP, { action: 'AUDIT', rules: [{}] }, dryRun('true')), [['error TM_DRY_RUN_ANNOTATION_INVALID metadata.annotations[istio.io/dry-run]', /only supports action ALLOW\/DENY, found action AUDIT/]]);
    expectFindings(run('PeerAuthentication', {}, dryRun('true')), [['error TM_DRY_RUN_ANNOTATION_INVALID metadata.annotations[istio.io/dry-run]', /only AuthorizationPolicy supports it/]]);
  });

  it('rejects the internal annotations users may not set', () => {
    expectFindings(run(AP, {}, { annotations: { 'internal.istio.io/parents': 'x' } }), [['error TM_RESERVED_ANNOTATION metadata.annotations[internal.istio.io/parents]']]);
  });
});

describe('validateWorkloadSelector and validatePolicyTargetReference', () => {
  it('warns about a selector without labels', () => {
    expectFindings(run(AP, { selector: {} }), [['warning TM_WORKLOAD_SELECTOR_WITHOUT_LABELS spec.selector', /without labels/]]);
    expectFindings(run(AP, { selector: { matchLabels: {} } }), [['warning TM_WORKLOAD_SELECTOR_WITHOUT_LABELS spec.selector']]);
  });

  it('takes Service, ServiceEntry, Gateway API Gateway and GatewayClass targets only, by canonical group', () => {
    expectValid(run(AP, {
      targetRefs: [{ kind: 'Service', group: '', name: 'a' }, { kind: 'Service', group: 'core', name: 'b' },
        { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }, { kind: 'ServiceEntry', group: 'networking.istio.io', name: 's' }],
    }));
    expectFindings(run(AP, { targetRef: { kind: 'Gateway', group: 'networking.istio.io', name: 'g' } }), [
      ['error TM_TARGET_REF_INVALID spec.targetRef', /but was "networking\.istio\.io"\/"Gateway"/],
    ]);
    expectFindings(run(AP, { targetRefs: [{ kind: 'Deployment', group: 'apps', name: 'd' }] }), [['error TM_TARGET_REF_INVALID spec.targetRefs[0]']]);
  });
});

// A plain source or operation is read by walking its keys (it usually has one of fourteen fields);
// any other object by name, as before. Both must find the same things, in the same order.
describe('ValidateAuthorizationPolicy on plain objects and on objects of other prototypes', () => {
  const fieldValue = fc.oneof(
    fc.constant([]), fc.constant(null), fc.constant('a'),
    fc.array(fc.constantFrom('', 'a', 'ns/sa', 'a/b/c', '*', '10.0.0.1', '10.0.0.0/33', '80', '99999', '/p/{*}', '/{**}/x', 'GET'), { minLength: 1, maxLength: 3 }),
  );
  const entry = (fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> => fc.shuffledSubarray([...fields, 'unknown'], { maxLength: 4 })
    .chain((keys) => fc.tuple(...keys.map(() => fieldValue)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]]))));
  const SOURCE = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
    'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
  const OPERATION = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
  const anyRule = fc.record({
    from: fc.array(entry(SOURCE).map((source) => ({ source })), { maxLength: 2 }),
    to: fc.array(entry(OPERATION).map((operation) => ({ operation })), { maxLength: 2 }),
  });
  const policy = fc.record({ action: fc.constantFrom('ALLOW', 'DENY', 'CUSTOM', 'AUDIT'), rules: fc.array(anyRule, { minLength: 1, maxLength: 2 }) });
  const object = (spec: unknown): object => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'ns' }, spec });
  // The same fields, on an object whose prototype is not Object.prototype.
  const withPrototype = (spec: { action: string; rules: Array<{ from: Array<{ source: object }>; to: Array<{ operation: object }> }> }): unknown => ({
    ...spec,
    rules: spec.rules.map((r) => ({
      from: r.from.map((f) => ({ source: Object.assign(Object.create({ inherited: true }) as object, f.source) })),
      to: r.to.map((t) => ({ operation: Object.assign(Object.create({ inherited: true }) as object, t.operation) })),
    })),
  });

  it('reports the same findings', () => {
    fc.assert(fc.property(policy, (spec) => {
      expect(validateWebhook(object(spec))).toEqual(validateWebhook(object(withPrototype(spec))));
    }), { numRuns: 2000, seed: 7 });
  });
});
