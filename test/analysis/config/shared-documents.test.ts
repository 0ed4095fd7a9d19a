// Loading two versions with shared documents (`trustmesh diff`, diff10) gives the same configs as
// loading each on its own: the same objects, bodies, positions and diagnostics; unchanged documents
// are parsed once and shared.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { parseYamlDocuments, SharedDocuments } from '../../../src/analysis/config/yaml-source';

function view(config: IstioConfig): unknown {
  return {
    objects: config.objects.map((o) => ({
      object: [o.apiVersion, o.kind, o.metadata, o.body, o.source],
      located: [o.locate(['spec']), o.locate(['spec', 'rules', 0, 'from'])],
    })),
    diagnostics: config.diagnostics,
    authorizationPolicies: config.authorizationPolicies.map((p) => p.spec),
  };
}

const A = `# leading comment
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: ns}
spec:
  rules:
  - from:
    - source: {principals: [cluster.local/ns/x/sa/y]}
---
--- # an empty document above
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: ns}
...
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b, namespace: ns}
spec: {action: DENY, rules: [{to: [{operation: {methods: [POST]}}]}]}
`;

const B = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b, namespace: ns}
spec: {action: DENY, rules: [{to: [{operation: {methods: [POST]}}]}]}
---
# moved and changed
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: ns}
spec:
  rules:
  - from:
    - source: {principals: [cluster.local/ns/x/sa/z]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: ns}
`;

const ANCHORED = `apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ns}
data: &d {a: "1"}
other: *d
`;

const DIRECTIVE = `%YAML 1.2
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: ns}
`;

const BROKEN = `apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: ns
`;

describe('shared documents', () => {
  it('loads each version as it loads alone, and parses an unchanged document once', () => {
    const shared: SharedDocuments = new Map();
    const before = parseConfigText(A, 'a.yaml', { sharedDocuments: shared });
    const after = parseConfigText(B, 'b.yaml', { sharedDocuments: shared });
    expect(view(before)).toEqual(view(parseConfigText(A, 'a.yaml')));
    expect(view(after)).toEqual(view(parseConfigText(B, 'b.yaml')));
    const body = (c: IstioConfig, name: string): unknown => c.objects.find((o) => o.metadata.name === name)?.body;
    // `sa` differs only by the `...` marker that ends it in A; `b` is the same text in both.
    expect(body(after, 'b')).toBe(body(before, 'b'));
    expect(body(after, 'a')).not.toBe(body(before, 'a'));
  });

  it('falls back to the whole-stream parse for anchors, directives and errors, with the same results', () => {
    for (const text of [ANCHORED, DIRECTIVE]) {
      const shared: SharedDocuments = new Map();
      expect(parseYamlDocuments(text, 'f.yaml', shared).map((d) => [d.value, d.line])).toEqual(parseYamlDocuments(text, 'f.yaml').map((d) => [d.value, d.line]));
      expect(shared.size).toBe(0);
    }
    expect(() => parseYamlDocuments(BROKEN, 'f.yaml', new Map())).toThrow(/f\.yaml|YAML/);
    let alone: unknown;
    try {
      parseYamlDocuments(BROKEN, 'f.yaml');
    } catch (e) {
      alone = e;
    }
    expect(() => parseYamlDocuments(BROKEN, 'f.yaml', new Map())).toThrow(alone as Error);
  });

  it('loads the diff fixtures alike', () => {
    const dir = path.join(__dirname, '..', '..', 'fixtures', 'diff');
    for (const [x, y] of [['base', 'renamed'], ['base', 'widened']]) {
      const shared: SharedDocuments = new Map();
      const before = loadConfig([path.join(dir, x)], { sharedDocuments: shared });
      const after = loadConfig([path.join(dir, y)], { sharedDocuments: shared });
      expect(view(before)).toEqual(view(loadConfig([path.join(dir, x)])));
      expect(view(after)).toEqual(view(loadConfig([path.join(dir, y)])));
    }
  });
});
