import { describe, expect, it } from 'vitest';
import { ap, config, decide } from './evaluate-helpers';
import { meshConfig } from '../../../src/analysis/config/mesh-config';

// Pages: https://istio.io/latest/docs/reference/config/security/peer_authentication/
//        https://istio.io/latest/docs/concepts/security/#peer-authentication

function pa(name: string, namespace: string, body: string, timestamp?: string): string {
  return `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
${timestamp ? `  creationTimestamp: "${timestamp}"\n` : ''}spec:
${body.split('\n').map((l) => `  ${l}`).join('\n')}
`;
}

const STRICT = 'mtls:\n  mode: STRICT';
const PERMISSIVE = 'mtls:\n  mode: PERMISSIVE';
const DISABLE = 'mtls:\n  mode: DISABLE';

describe('PeerAuthentication resolution (concepts/security "Peer authentication")', () => {
  it('starts PERMISSIVE: a plaintext client gets through when no policy exists', () => {
    expect(decide(config(''), { principal: null }).outcome).toBe('ALLOW');
  });

  it('refuses a plaintext connection to a STRICT port with DENY_CONN naming the PeerAuthentication', () => {
    const d = decide(config(pa('default', 'istio-system', STRICT)), { principal: null });
    expect(d.outcome).toBe('DENY_CONN');
    expect(d.decidedBy).toEqual([{ kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default', action: 'STRICT', rule: null }]);
    expect(d.explanation).toMatch(/requires STRICT mTLS on port 8000 and the client sent plaintext/);
  });

  it('accepts an mTLS client on a STRICT port', () => {
    expect(decide(config(pa('default', 'istio-system', STRICT))).outcome).toBe('ALLOW');
  });

  it('refuses plaintext TCP to a STRICT port as well', () => {
    expect(decide(config(pa('default', 'foo', STRICT)), { principal: null, protocol: 'TCP' }).outcome).toBe('DENY_CONN');
  });

  it('lets a namespace policy override the mesh policy', () => {
    const cfg = config(pa('default', 'istio-system', STRICT) + pa('default', 'foo', PERMISSIVE));
    expect(decide(cfg, { principal: null }).outcome).toBe('ALLOW');
    expect(decide(cfg, { principal: null, destNamespace: 'bar' }).outcome).toBe('DENY_CONN');
  });

  it('lets a workload policy override the namespace policy', () => {
    const cfg = config(pa('default', 'foo', STRICT) + pa('httpbin', 'foo', `selector:\n  matchLabels:\n    app: httpbin\n${PERMISSIVE}`));
    expect(decide(cfg, { principal: null }).outcome).toBe('ALLOW');
    expect(decide(cfg, { principal: null, labels: { app: 'other' } }).outcome).toBe('DENY_CONN');
  });

  it('inherits the parent mode when a level is UNSET', () => {
    const cfg = config(pa('default', 'istio-system', STRICT) + pa('default', 'foo', 'mtls:\n  mode: UNSET')
      + pa('httpbin', 'foo', 'selector:\n  matchLabels:\n    app: httpbin'));
    const d = decide(cfg, { principal: null });
    expect(d.outcome).toBe('DENY_CONN');
    expect(d.decidedBy[0]).toMatchObject({ namespace: 'istio-system', name: 'default' });
  });

  it('applies portLevelMtls by workload port, overriding the workload mode', () => {
    const cfg = config(pa('default', 'foo', STRICT)
      + pa('httpbin', 'foo', 'selector:\n  matchLabels:\n    app: httpbin\nportLevelMtls:\n  "8080":\n    mode: DISABLE'));
    expect(decide(cfg, { principal: null, port: 8080 }).outcome).toBe('ALLOW');
    expect(decide(cfg, { principal: null, port: 8000 }).outcome).toBe('DENY_CONN');
  });

  it('makes an UNSET port-level entry inherit the workload result', () => {
    const cfg = config(pa('default', 'foo', PERMISSIVE)
      + pa('httpbin', 'foo', `selector:\n  matchLabels:\n    app: httpbin\n${STRICT}\nportLevelMtls:\n  "8080":\n    mode: UNSET`));
    expect(decide(cfg, { principal: null, port: 8080 }).outcome).toBe('DENY_CONN');
  });

  it('ignores a selector PeerAuthentication in the root namespace (proto doc) and reports it', () => {
    const cfg = config(pa('strict-httpbin', 'istio-system', `selector:\n  matchLabels:\n    app: httpbin\n${STRICT}`));
    const d = decide(cfg, { principal: null });
    expect(d.outcome).toBe('ALLOW');
    expect(d.ignored).toEqual([expect.objectContaining({ kind: 'PeerAuthentication', name: 'strict-httpbin' })]);
  });

  it('treats an empty matchLabels as namespace level', () => {
    const cfg = config(pa('default', 'foo', `selector:\n  matchLabels: {}\n${STRICT}`));
    expect(decide(cfg, { principal: null, labels: { any: 'x' } }).outcome).toBe('DENY_CONN');
  });

  it('picks the oldest creationTimestamp among competing policies at one level', () => {
    const cfg = config(pa('b-newer', 'foo', PERMISSIVE, '2024-02-01T00:00:00Z') + pa('z-older', 'foo', STRICT, '2024-01-01T00:00:00Z'));
    const d = decide(cfg, { principal: null });
    expect(d.outcome).toBe('DENY_CONN');
    expect(d.decidedBy[0].name).toBe('z-older');
    expect(d.ignored).toEqual([expect.objectContaining({ name: 'b-newer', reason: expect.stringMatching(/older/) })]);
  });

  it('breaks a creationTimestamp tie (or missing timestamps) by name', () => {
    const cfg = config(pa('b', 'foo', PERMISSIVE) + pa('a', 'foo', STRICT));
    expect(decide(cfg, { principal: null }).decidedBy[0].name).toBe('a');
  });

  it('uses the MeshConfig rootNamespace for the mesh level', () => {
    const cfg = config(pa('default', 'custom-root', STRICT));
    expect(decide(cfg, { principal: null }, meshConfig({ rootNamespace: 'custom-root' })).outcome).toBe('DENY_CONN');
    expect(decide(cfg, { principal: null }).outcome).toBe('ALLOW');
  });
});

describe('DISABLE: the sidecar does not terminate mTLS, so authorization sees no peer identity', () => {
  const cfg = config(pa('default', 'foo', DISABLE) + ap('allow-dev', 'foo', 'rules:\n- from:\n  - source:\n      namespaces: ["dev"]'));

  it('denies a principal-based ALLOW even for a client that has an identity', () => {
    const d = decide(cfg);
    expect(d.outcome).toBe('DENY_403');
    expect(d.explanation).toMatch(/mTLS is DISABLEd on this port/);
  });

  it('still accepts plaintext clients', () => {
    expect(decide(config(pa('default', 'foo', DISABLE)), { principal: null }).outcome).toBe('ALLOW');
  });
});
