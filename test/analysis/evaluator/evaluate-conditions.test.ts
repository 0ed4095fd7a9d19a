import { describe, expect, it } from 'vitest';
import { ap, config, decide, RequestInput } from './evaluate-helpers';
import { meshConfig, MeshConfig } from '../../../src/analysis/config/mesh-config';

// Pages: https://istio.io/latest/docs/reference/config/security/conditions/
//        https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source

/** An ALLOW policy with one when condition; returns whether the request is allowed. */
function allowedWhen(key: string, values: string, input: RequestInput, mesh?: MeshConfig, valueField = 'values'): boolean {
  const cfg = config(ap('p', 'foo', `rules:\n- when:\n  - key: ${key}\n    ${valueField}: ${values}`));
  return decide(cfg, input, mesh).allowed;
}

/** An ALLOW policy with one source field. */
function allowedFrom(field: string, values: string, input: RequestInput, mesh?: MeshConfig): boolean {
  const cfg = config(ap('p', 'foo', `rules:\n- from:\n  - source:\n      ${field}: ${values}`));
  return decide(cfg, input, mesh).allowed;
}

const jwtRa = `---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  jwtRules:
  - issuer: iss
`;

function allowedClaims(key: string, values: string, claims: Record<string, unknown>, extraRule = ''): boolean {
  const cfg = config(jwtRa + extraRule + ap('p', 'foo', `rules:\n- when:\n  - key: ${key}\n    values: ${values}`));
  return decide(cfg, { jwt: { status: 'valid', claims: { iss: 'iss', sub: 's', ...claims } } }).allowed;
}

describe('when keys (conditions reference)', () => {
  it('request.headers[...] matches header values with header names case-insensitive', () => {
    expect(allowedWhen('request.headers[User-Agent]', '["Mozilla/*"]', { headers: { 'user-agent': 'Mozilla/5.0' } })).toBe(true);
    expect(allowedWhen('request.headers[User-Agent]', '["Mozilla/*"]', { headers: { 'user-agent': 'curl/8' } })).toBe(false);
    expect(allowedWhen('request.headers[User-Agent]', '["*"]', {})).toBe(false);
  });

  it('source.ip and ipBlocks match the downstream address by IP or CIDR, IPv4 and IPv6', () => {
    expect(allowedWhen('source.ip', '["10.1.0.0/16"]', { ip: '10.1.2.3' })).toBe(true);
    expect(allowedWhen('source.ip', '["10.1.0.0/16"]', { ip: '10.2.2.3' })).toBe(false);
    expect(allowedFrom('ipBlocks', '["203.0.113.4"]', { ip: '203.0.113.4' })).toBe(true);
    expect(allowedFrom('ipBlocks', '["fd00::/8"]', { ip: 'fd12::1' })).toBe(true);
    expect(allowedFrom('ipBlocks', '["fd00::/8"]', { ip: '10.0.0.1' })).toBe(false);
    expect(allowedFrom('notIpBlocks', '["10.0.0.0/8"]', { ip: '192.168.1.1' })).toBe(true);
  });

  it('source.namespace and namespaces derive the namespace from the peer certificate, with * wildcards', () => {
    expect(allowedWhen('source.namespace', '["dev"]', {})).toBe(true);
    expect(allowedFrom('namespaces', '["de*"]', {})).toBe(true);
    expect(allowedFrom('namespaces', '["*ev"]', {})).toBe(true);
    expect(allowedFrom('namespaces', '["dev"]', { principal: 'cluster.local/ns/prod/sa/sleep' })).toBe(false);
    expect(allowedFrom('namespaces', '["dev"]', { principal: null, namespace: 'dev' })).toBe(false);
  });

  it('source.principal and principals match the peer identity', () => {
    expect(allowedWhen('source.principal', '["cluster.local/ns/dev/sa/sleep"]', {})).toBe(true);
    expect(allowedFrom('principals', '["cluster.local/ns/dev/*"]', {})).toBe(true);
    expect(allowedFrom('principals', '["*/sa/sleep"]', {})).toBe(true);
    expect(allowedFrom('principals', '["cluster.local/ns/dev/sa/other"]', {})).toBe(false);
  });

  it('serviceAccounts takes ns/sa, or sa meaning the policy namespace, without wildcards', () => {
    expect(allowedFrom('serviceAccounts', '["dev/sleep"]', {})).toBe(true);
    expect(allowedFrom('serviceAccounts', '["sleep"]', {})).toBe(false);
    expect(allowedFrom('serviceAccounts', '["sleep"]', { principal: 'cluster.local/ns/foo/sa/sleep' })).toBe(true);
    expect(allowedFrom('serviceAccounts', '["dev/sle*"]', {})).toBe(false);
    expect(allowedWhen('source.serviceAccount', '["dev/sleep"]', {})).toBe(true);
  });

  it('trustDomains and source.trustDomain match the trust domain of the peer', () => {
    expect(allowedFrom('trustDomains', '["cluster.local"]', {})).toBe(true);
    expect(allowedFrom('trustDomains', '["other.td"]', {})).toBe(false);
    expect(allowedFrom('notTrustDomains', '["other.td"]', {})).toBe(true);
    expect(allowedWhen('source.trustDomain', '["*.local"]', {})).toBe(true);
  });

  it('destination.ip matches the destination address when the request names one', () => {
    expect(allowedWhen('destination.ip', '["10.2.0.0/16"]', { destIp: '10.2.3.4' })).toBe(true);
    expect(allowedWhen('destination.ip', '["10.2.0.0/16"]', {})).toBe(false);
  });

  it('destination.port and ports compare the workload port', () => {
    expect(allowedWhen('destination.port', '["8000"]', { port: 8000 })).toBe(true);
    expect(allowedWhen('destination.port', '["80", "443"]', { port: 8000 })).toBe(false);
    const cfg = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      notPorts: ["15021"]'));
    expect(decide(cfg, { port: 8000 }).allowed).toBe(true);
    expect(decide(cfg, { port: 15021 }).allowed).toBe(false);
  });

  it('connection.sni matches the TLS server name', () => {
    expect(allowedWhen('connection.sni', '["*.example.com"]', { sni: 'www.example.com' })).toBe(true);
    expect(allowedWhen('connection.sni', '["*.example.com"]', {})).toBe(false);
  });

  it('experimental.envoy.filters.* sees no filter metadata (not modelled), so values fail and notValues match', () => {
    expect(allowedWhen('experimental.envoy.filters.network.mysql_proxy[db.table]', '["[update]"]', { protocol: 'TCP' })).toBe(false);
    expect(allowedWhen('experimental.envoy.filters.network.mysql_proxy[db.table]', '["[update]"]', { protocol: 'TCP' }, undefined, 'notValues')).toBe(true);
  });
});

describe('JWT conditions (conditions reference, request.auth.*)', () => {
  it('request.auth.claims[...] matches a string claim', () => {
    expect(allowedClaims('request.auth.claims[role]', '["learner"]', { role: 'learner' })).toBe(true);
    expect(allowedClaims('request.auth.claims[role]', '["learner"]', { role: 'teacher' })).toBe(false);
  });

  it('matches a list claim when any element matches', () => {
    expect(allowedClaims('request.auth.claims[groups]', '["admins"]', { groups: ['dev', 'admins'] })).toBe(true);
    expect(allowedClaims('request.auth.claims[groups]', '["admins"]', { groups: ['dev'] })).toBe(false);
  });

  it('supports nested claims with [a][b]', () => {
    expect(allowedClaims('request.auth.claims[realm][role]', '["admin"]', { realm: { role: 'admin' } })).toBe(true);
    expect(allowedClaims('request.auth.claims[realm][role]', '["admin"]', { realm: { role: 'user' } })).toBe(false);
  });

  it('only supports string and list-of-string claims (numbers and booleans never match)', () => {
    expect(allowedClaims('request.auth.claims[level]', '["3"]', { level: 3 })).toBe(false);
    expect(allowedClaims('request.auth.claims[admin]', '["true"]', { admin: true })).toBe(false);
  });

  it('splits scope and permission claims on spaces, and the claims a rule lists in spaceDelimitedClaims', () => {
    expect(allowedClaims('request.auth.claims[scope]', '["write"]', { scope: 'read write' })).toBe(true);
    const spaced = jwtRa.replace('  - issuer: iss', '  - issuer: iss\n    spaceDelimitedClaims: ["roles"]');
    const cfg = config(spaced + ap('p', 'foo', 'rules:\n- when:\n  - key: request.auth.claims[roles]\n    values: ["b"]'));
    expect(decide(cfg, { jwt: { status: 'valid', claims: { iss: 'iss', sub: 's', roles: 'a b' } } }).allowed).toBe(true);
    expect(allowedClaims('request.auth.claims[roles]', '["b"]', { roles: 'a b' })).toBe(false);
  });

  it('request.auth.principal, audiences and presenter read iss/sub, aud and azp', () => {
    expect(allowedClaims('request.auth.principal', '["iss/s"]', {})).toBe(true);
    expect(allowedClaims('request.auth.audiences', '["web"]', { aud: ['app', 'web'] })).toBe(true);
    expect(allowedClaims('request.auth.audiences', '["web"]', { aud: 'app' })).toBe(false);
    expect(allowedClaims('request.auth.presenter', '["client-1"]', { azp: 'client-1' })).toBe(true);
  });

  it('makes claims unusable when no token was verified', () => {
    expect(allowedWhen('request.auth.claims[role]', '["learner"]', { jwt: { status: 'valid', claims: { iss: 'iss', sub: 's', role: 'learner' } } })).toBe(false);
  });
});

describe('trust domains and aliases (MeshConfig trustDomain, trustDomainAliases)', () => {
  const mesh = meshConfig({ trustDomain: 'new.td', trustDomainAliases: ['old.td'] });

  it('maps a cluster.local principal in a policy to the mesh trust domain and its aliases', () => {
    expect(allowedFrom('principals', '["cluster.local/ns/dev/sa/sleep"]', { principal: 'new.td/ns/dev/sa/sleep' }, mesh)).toBe(true);
    expect(allowedFrom('principals', '["cluster.local/ns/dev/sa/sleep"]', { principal: 'old.td/ns/dev/sa/sleep' }, mesh)).toBe(true);
  });

  it('makes a principal naming an alias match the other trust domains', () => {
    expect(allowedFrom('principals', '["old.td/ns/dev/sa/sleep"]', { principal: 'new.td/ns/dev/sa/sleep' }, mesh)).toBe(true);
  });

  it('keeps a foreign trust domain as written', () => {
    expect(allowedFrom('principals', '["other.td/ns/dev/sa/sleep"]', { principal: 'new.td/ns/dev/sa/sleep' }, mesh)).toBe(false);
    expect(allowedFrom('principals', '["other.td/ns/dev/sa/sleep"]', { principal: 'other.td/ns/dev/sa/sleep' }, mesh)).toBe(true);
  });

  it('rewrites cluster.local to the configured trust domain, which then no longer matches a cluster.local peer', () => {
    const td = meshConfig({ trustDomain: 'corp.example' });
    expect(allowedFrom('principals', '["cluster.local/ns/dev/sa/sleep"]', { principal: 'corp.example/ns/dev/sa/sleep' }, td)).toBe(true);
    expect(allowedFrom('principals', '["cluster.local/ns/dev/sa/sleep"]', {}, td)).toBe(false);
  });

  it('applies aliasing to the source.principal when key too', () => {
    expect(allowedWhen('source.principal', '["cluster.local/ns/dev/sa/sleep"]', { principal: 'old.td/ns/dev/sa/sleep' }, mesh)).toBe(true);
  });
});

describe('remote.ip and remoteIpBlocks (network-topologies: numTrustedProxies)', () => {
  const xff = { 'x-forwarded-for': '56.5.6.7, 72.9.5.6, 98.1.2.3' };

  it('is the downstream address with 0 trusted proxies', () => {
    expect(allowedFrom('remoteIpBlocks', '["10.0.0.1"]', { ip: '10.0.0.1', headers: xff })).toBe(true);
    expect(allowedFrom('remoteIpBlocks', '["98.1.2.3"]', { ip: '10.0.0.1', headers: xff })).toBe(false);
  });

  it('is the Nth address from the right of X-Forwarded-For with N trusted proxies (docs example: 2 → 72.9.5.6)', () => {
    const two = meshConfig({ numTrustedProxies: 2 });
    expect(allowedFrom('remoteIpBlocks', '["72.9.5.6"]', { headers: xff }, two)).toBe(true);
    expect(allowedWhen('remote.ip', '["72.9.0.0/16"]', { headers: xff }, two)).toBe(true);
    expect(allowedFrom('remoteIpBlocks', '["98.1.2.3"]', { headers: xff }, meshConfig({ numTrustedProxies: 1 }))).toBe(true);
  });

  it('falls back to the downstream address when X-Forwarded-For has fewer entries than trusted proxies', () => {
    expect(allowedFrom('remoteIpBlocks', '["10.0.0.1"]', { ip: '10.0.0.1', headers: xff }, meshConfig({ numTrustedProxies: 5 }))).toBe(true);
  });

  it('uses an explicit source.remoteIp from the request', () => {
    expect(allowedFrom('remoteIpBlocks', '["198.51.100.0/24"]', { remoteIp: '198.51.100.7' })).toBe(true);
  });

  it('leaves ipBlocks on the downstream address', () => {
    expect(allowedFrom('ipBlocks', '["72.9.5.6"]', { ip: '10.0.0.1', headers: xff }, meshConfig({ numTrustedProxies: 2 }))).toBe(false);
  });
});
