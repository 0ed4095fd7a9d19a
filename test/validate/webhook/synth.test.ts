// Synth runs istiod's validating webhook rules on what it is about to write, like the CRD schema
// check: an object istiod would reject fails the synth (TM_INVALID_OUTPUT) and nothing is
// written; the bundled examples pass them without a warning.
import * as fs from 'fs';
import { ApiObject, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { istiodFindings } from './helpers';
import { analyze } from '../../../src/analysis/analyzer/analyzer';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../../src/examples';
import { validateWebhook, WebhookResults } from '../../../src/validate/webhook/validate-webhook';
import { catchTrustmesh, tempApp } from '../../helpers';

describe('synth and istiod\'s webhook rules', () => {
  it('refuses to write a Gateway istiod rejects (MUTUAL without a client CA: validateTLSOptions)', () => {
    const app = tempApp();
    new ApiObject(new Chart(app, 'hand-written'), 'gw', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'x' },
      spec: {
        servers: [{
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          hosts: ['shop.example.com'],
          tls: { mode: 'MUTUAL', serverCertificate: '/s.pem', privateKey: '/k.pem' },
        }],
      },
    } as never);
    const e = catchTrustmesh(() => app.synth());
    expect(e.code).toBe('TM_INVALID_OUTPUT');
    expect(e.message).toMatch(/TM_SERVER_TLS_MUTUAL_WITHOUT_CA: Gateway x\/gw: spec\.servers\[0\]\.tls\.mode: MUTUAL TLS requires a client CA bundle/);
    expect(fs.existsSync(app.outdir)).toBe(false);
  });

  it.each([['bookinfo', bookinfoMesh], ['foo-httpbin', fooHttpbinMesh], ['micro-shake-factory', microShakeFactoryMesh]] as const)(
    'the %s example gives istiod nothing to reject or warn about', (_name, define) => {
      const app = tempApp();
      define(app);
      const manifests = app.synthOutput().manifests.map((r) => r.manifest);
      const kinds = new Set(manifests.map((m) => String(m.kind)));
      expect([...kinds].filter((k) => ['AuthorizationPolicy', 'PeerAuthentication', 'DestinationRule', 'Gateway', 'VirtualService', 'Sidecar', 'ServiceEntry'].includes(k)).length)
        .toBeGreaterThanOrEqual(2);
      expect(istiodFindings(manifests)).toEqual([]);
    });

  // perf6: synth's analyzer pass reuses the webhook findings its validation computed.
  it('WebhookResults computes once per object and namespace, and the analyzer reports the same findings with it', () => {
    const yaml = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: []
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b}
spec:
  action: DENY
`;
    const config = parseConfigText(yaml, 'p.yaml');
    const results = new WebhookResults();
    const [a, b] = config.objects.map((o) => o.body);
    const first = results.validate(a);
    expect(first).toEqual(validateWebhook(a));
    expect(first.map((f) => f.code)).toEqual(['TM_AUTHZ_EMPTY_MATCH']);
    expect(results.validate(a)).toBe(first);
    expect(results.validate(a, { name: 'a', namespace: 'other', labels: {}, annotations: {} })).not.toBe(first);
    expect(results.validate(b).map((f) => f.code)).toEqual(['TM_AUTHZ_ACTION_WITHOUT_RULES']);
    const fresh = analyze(config);
    expect(analyze(config, { webhookResults: results })).toEqual(fresh);
    expect(fresh.map((d) => d.code)).toEqual(expect.arrayContaining(['TM_AUTHZ_EMPTY_MATCH', 'TM_AUTHZ_ACTION_WITHOUT_RULES']));
  });
});
