/**
 * Deterministic generator of one large manifest file of small AuthorizationPolicies, the shape a
 * cluster export has: `count` policies over 100 namespaces, each selecting one app and allowing
 * one peer to GET one path prefix. 155,000 of them are about 50 MB of YAML (issue 10: `analyze`
 * once overflowed the stack on such a file).
 */

/** The YAML stream of `count` AuthorizationPolicies. */
export function generatePolicies(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `ns-${String(i % 100).padStart(3, '0')}`;
    const peer = `ns-${String((i + 1) % 100).padStart(3, '0')}`;
    const n = String(i).padStart(6, '0');
    docs.push([
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata:',
      `  name: allow-${n}`,
      `  namespace: ${ns}`,
      'spec:',
      '  selector:',
      '    matchLabels:',
      `      app: app-${n}`,
      '  action: ALLOW',
      '  rules:',
      '  - from:',
      '    - source:',
      `        principals: ["cluster.local/ns/${peer}/sa/client-${n}"]`,
      '    to:',
      '    - operation:',
      '        methods: ["GET"]',
      `        paths: ["/api/v1/items/${n}/*"]`,
    ].join('\n'));
  }
  return `${docs.join('\n---\n')}\n`;
}
