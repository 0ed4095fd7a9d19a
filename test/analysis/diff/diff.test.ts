// The semantic access diff: same meaning → no change, whatever the YAML looks like; real changes
// reported per source and destination, widened access first.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { diffAccess } from '../../../src/analysis/diff/diff';
import { diffToJson, diffToMarkdown } from '../../../src/analysis/diff/diff-format';

function diff(before: string, after: string) {
  return diffAccess(parseConfigText(before, 'old.yaml'), parseConfigText(after, 'new.yaml'));
}

const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: details, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: details}}
    spec: {serviceAccountName: bookinfo-details, containers: [{name: details, ports: [{containerPort: 9080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: details, namespace: bookinfo}
spec: {selector: {app: details}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: productpage}}
    spec: {serviceAccountName: bookinfo-productpage, containers: [{name: productpage, ports: [{containerPort: 9080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: reviews}}
    spec: {serviceAccountName: bookinfo-reviews, containers: [{name: reviews, ports: [{containerPort: 9080}]}]}
---
`;

function policy(name: string, spec: string): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: bookinfo}
spec:
${spec.replace(/^/gm, '  ')}
---
`;
}

const BASE = WORKLOADS + policy('default-deny', '{}') + policy('details-allow', `selector: {matchLabels: {app: details}}
rules:
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-productpage]}}]
  to: [{operation: {methods: [GET]}}]
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-reviews]}}]
  to: [{operation: {methods: [GET], paths: [/details/*]}}]`);

describe('no change for the same meaning', () => {
  it('reports nothing for identical input', () => {
    const d = diff(BASE, BASE);
    expect(d.changes).toEqual([]);
    expect(d.widens).toBe(false);
    expect(diffToMarkdown(d)).toContain('No change in who may access what.');
  });

  it('reports nothing when policies are renamed and reordered', () => {
    const renamed = WORKLOADS + policy('details-access', `selector: {matchLabels: {app: details}}
rules:
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-reviews]}}]
  to: [{operation: {paths: [/details/*], methods: [GET]}}]
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-productpage]}}]
  to: [{operation: {methods: [GET]}}]`) + policy('deny-by-default', '{}');
    expect(diff(BASE, renamed).changes).toEqual([]);
  });

  it('reports nothing when a policy is split in two, or written with principals instead of serviceAccounts', () => {
    const split = WORKLOADS + policy('default-deny', '{}')
      + policy('details-from-productpage', `selector: {matchLabels: {app: details}}
rules: [{from: [{source: {principals: [cluster.local/ns/bookinfo/sa/bookinfo-productpage]}}], to: [{operation: {methods: [GET]}}]}]`)
      + policy('details-from-reviews', `selector: {matchLabels: {app: details}}
rules: [{from: [{source: {serviceAccounts: [bookinfo-reviews]}}], to: [{operation: {methods: [GET], paths: [/details/*]}}]}]`);
    expect(diff(BASE, split).changes).toEqual([]);
  });

  it('reports nothing when two rules are merged into one with two sources and ports are spelled per operation', () => {
    const before = WORKLOADS + policy('a', `selector: {matchLabels: {app: details}}
rules:
- from: [{source: {namespaces: [bookinfo]}}]
  to: [{operation: {methods: [GET]}}]
- from: [{source: {namespaces: [istio-system]}}]
  to: [{operation: {methods: [GET]}}]`);
    const after = WORKLOADS + policy('b', `selector: {matchLabels: {app: details}}
rules:
- from: [{source: {namespaces: [bookinfo]}}, {source: {namespaces: [istio-system]}}]
  to: [{operation: {methods: [GET], ports: ["9080"]}}]`);
    expect(diff(before, after).changes).toEqual([]);
  });
});

describe('changes', () => {
  it('reports a new method as widened, with what is newly allowed', () => {
    const widened = BASE.replace('to: [{operation: {methods: [GET]}}]', 'to: [{operation: {methods: [GET, POST]}}]');
    const d = diff(BASE, widened);
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0]).toMatchObject({ kind: 'widened', destination: 'bookinfo/details', sources: ['bookinfo/bookinfo-productpage'] });
    expect(d.changes[0].text).toBe('bookinfo/bookinfo-productpage → bookinfo/details: now also POST on port 9080');
    expect(d.widens).toBe(true);
  });

  it('lists widened access before narrowed access', () => {
    const both = BASE.replace('to: [{operation: {methods: [GET]}}]', 'to: [{operation: {methods: [GET, DELETE]}}]')
      .replace('paths: [/details/*]', 'paths: [/details/public/*]');
    const d = diff(BASE, both);
    expect(d.changes.map((c) => c.kind)).toEqual(['widened', 'narrowed']);
    expect(d.changes[1].text).toBe('bookinfo/bookinfo-reviews → bookinfo/details: no longer GET /details/* except /details/public/* on port 9080');
    expect(diffToMarkdown(d).split('\n').filter((l) => l.startsWith('| ⚠️'))).toHaveLength(1);
  });

  it('reports access to a destination that allowed nothing as added, and losing all access as removed', () => {
    const opened = BASE + policy('reviews-allow', 'selector: {matchLabels: {app: reviews}}\nrules: [{from: [{source: {serviceAccounts: [bookinfo/bookinfo-productpage]}}]}]');
    const d = diff(BASE, opened);
    expect(d.changes.map((c) => [c.kind, c.destination, c.sources.join(',')])).toEqual([['added', 'bookinfo/reviews', 'bookinfo/bookinfo-productpage']]);
    expect(d.changes[0].text).toBe('bookinfo/bookinfo-productpage → bookinfo/reviews: now allowed: everything');
    const back = diff(opened, BASE);
    expect(back.changes.map((c) => c.kind)).toEqual(['removed']);
    expect(back.widens).toBe(false);
  });

  it('reports removing the default-deny as widened for every source of every workload without its own ALLOW', () => {
    const open = BASE.replace(policy('default-deny', '{}'), '');
    const d = diff(BASE, open);
    expect(d.changes.map((c) => `${c.kind} ${c.destination} ${c.sources.length}`)).toEqual([
      'added bookinfo/productpage 5', 'added bookinfo/reviews 5',
    ]);
    expect(d.changes[0].text).toBe('any source (plaintext included) → bookinfo/productpage: now allowed: everything');
  });

  it('reports a newly accepted token issuer as widened access for requests with its tokens', () => {
    const ra = (issuers: string[]): string => `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: details}}
  jwtRules: [${issuers.map((i) => `{issuer: "${i}", jwksUri: "${i}/jwks"}`).join(', ')}]
---
`;
    const allowTokens = policy('tokens', 'selector: {matchLabels: {app: details}}\nrules: [{from: [{source: {requestPrincipals: ["*"]}}]}]');
    const d = diff(WORKLOADS + ra(['https://a.example']) + allowTokens, WORKLOADS + ra(['https://a.example', 'https://b.example']) + allowTokens);
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0].kind).toBe('widened');
    expect(d.changes[0].text).toMatch(/^any source \(plaintext included\) → bookinfo\/details: now also requests with a token from https:\/\/b\.example on port 9080$/);
  });

  it('reports a new workload as a new destination', () => {
    const more = BASE.replace('---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: reviews', `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: ratings}}
    spec: {serviceAccountName: bookinfo-ratings, containers: [{name: ratings, ports: [{containerPort: 9080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews`) + policy('ratings', 'selector: {matchLabels: {app: ratings}}\nrules: [{from: [{source: {serviceAccounts: [bookinfo/bookinfo-reviews]}}]}]');
    const d = diff(BASE, more);
    expect(d.changes.map((c) => c.text)).toEqual(['bookinfo/bookinfo-reviews → bookinfo/ratings (new destination): now allowed: everything']);
  });

  it('keeps a markdown comment short: at most `limit` rows, the rest counted', () => {
    const open = BASE.replace(policy('default-deny', '{}'), '').replace(/methods: \[GET\]/g, 'methods: [GET, PUT]');
    const d = diff(BASE, open);
    expect(d.changes.length).toBe(4);
    const md = diffToMarkdown(d, { limit: 1 });
    expect(md.split('\n').filter((l) => l.startsWith('| ⚠️'))).toHaveLength(1);
    expect(md).toContain('… and 3 more changes (all of them with `--output json`).');
    expect(diffToMarkdown(d, { limit: 0 }).split('\n').filter((l) => l.startsWith('| ⚠️'))).toHaveLength(4);
  });

  it('prints stable JSON with counts and the changes in report order', () => {
    const widened = BASE.replace('to: [{operation: {methods: [GET]}}]', 'to: [{operation: {methods: [GET, POST]}}]');
    const json = diffToJson(diff(BASE, widened));
    expect(json).toMatchObject({ widens: true, counts: { added: 0, widened: 1, changed: 0, narrowed: 0, removed: 0 } });
    expect(JSON.stringify(json)).toBe(JSON.stringify(diffToJson(diff(BASE, widened))));
    const change = (json.changes as Record<string, unknown>[])[0];
    expect(change.added).toEqual([{
      port: 9080, protocol: 'HTTP', status: 'partial', allowed: [{ methods: { in: ['POST'] }, text: 'POST' }],
    }]);
  });
});

// The diff analyzes only destinations whose inputs (policies and ports, by content) differ between
// the versions; these changes live in inputs that are not AuthorizationPolicies.
describe('only destinations whose inputs changed are analyzed, and every kind of input counts', () => {
  const portLevel = (mode: string): string => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: details-mtls, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: details}}
  mtls: {mode: STRICT}
  portLevelMtls:
    9080: {mode: ${mode}}
---
`;
  const OPEN = WORKLOADS.replace(/---\n$/, '');

  it('reports a change made only in a PeerAuthentication (port-level mTLS mode)', () => {
    const d = diff(`${OPEN}\n---\n${portLevel('STRICT')}`, `${OPEN}\n---\n${portLevel('PERMISSIVE')}`);
    expect(d.changes.map((c) => [c.kind, c.destination, c.sources])).toEqual([
      ['added', 'bookinfo/details', ['plaintext']],
    ]);
  });

  it('reports nothing when only positions and object order differ', () => {
    const after = `# moved\n${policy('details-allow', `selector: {matchLabels: {app: details}}
rules:
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-productpage]}}]
  to: [{operation: {methods: [GET]}}]
- from: [{source: {serviceAccounts: [bookinfo/bookinfo-reviews]}}]
  to: [{operation: {methods: [GET], paths: [/details/*]}}]`)}${policy('default-deny', '{}')}${WORKLOADS}`;
    expect(diff(BASE, after).changes).toEqual([]);
  });
});
