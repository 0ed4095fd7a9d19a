// diffspace: a request space reads each compiled rule's atoms and port numbers once (per rule,
// shared by the versions of a diff) instead of listing every constraint of every version.
// Property: its dimensions, atoms and ports are what a plain walk over every constraint of the
// decisive policies of each version gives (ports: only the policies whose rules name one).
// diff16: and each constraint's mask, built from its values' masks, is that of testing it on every region.
/* eslint-disable no-bitwise -- region masks are bit sets */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequestSpace, constraintTarget, decisivePolicies, ruleConstraints, VersionInput } from '../../../src/analysis/access/request-classes';
import { SharedRules } from '../../../src/analysis/access/shared-rules';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { constraintMatches } from '../../../src/analysis/evaluator/authorization-rule';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';

const MESH = DEFAULT_MESH_CONFIG;

/** Rules as YAML flow: HTTP fields, ports, conditions on headers, IPs and ports, invalid values, null. */
const RULES: readonly string[] = [
  '{ to: [{ operation: { methods: [GET, POST], paths: [/api/*] } }] }',
  '{ from: [{ source: { namespaces: [a] } }], to: [{ operation: { ports: ["8080"], notPaths: [/admin] } }] }',
  '{ to: [{ operation: { notPorts: ["9090"], hosts: [example.com] } }] }',
  '{ when: [{ key: "request.headers[x-id]", values: [a, "b*"] }, { key: destination.port, values: ["7070"] }] }',
  '{ from: [{ source: { ipBlocks: [10.0.0.0/8], notRemoteIpBlocks: [192.168.0.1] } }] }',
  '{ to: [{ operation: { ports: [not-a-port], methods: [PUT] } }] }',
  '{ when: [{ key: "request.auth.claims[role]", values: [admin] }] }',
  '{ to: [{ operation: { paths: [/api/*, /admin], notPaths: [/api/x], notMethods: [GET] } }], when: [{ key: "request.headers[x-id]", values: ["*"], notValues: ["b*"] }] }',
  'null',
];

function config(action: string, rules: readonly number[], peerPort: boolean): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: p, namespace: ns }
spec:
  selector: { matchLabels: { app: x } }
  action: ${action}
  rules: [${rules.map((i) => RULES[i]).join(', ')}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: q, namespace: ns }
spec:
  action: DENY
  rules: [${RULES[rules.length % RULES.length]}]
${peerPort ? `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: x, namespace: ns }
spec:
  selector: { matchLabels: { app: x } }
  mtls: { mode: STRICT }
  portLevelMtls: { "6060": { mode: PERMISSIVE } }
` : ''}`;
}

/** The reference: every constraint of the decisive policies of each version, both chains. */
function reference(inputs: readonly VersionInput[]): { atoms: Map<string, Set<string>>; ports: Set<number> } {
  const atoms = new Map<string, Set<string>>();
  const ports = new Set<number>();
  for (const input of inputs) {
    const { deny, allow } = decisivePolicies(input.policies, MESH);
    for (const p of [...deny, ...allow]) {
      const raw = p.resource.spec.rules;
      const namesPorts = raw.some((r) => r !== null && ((r.to ?? []).some((t) => (t.operation?.ports?.length ?? 0) > 0
        || (t.operation?.notPorts?.length ?? 0) > 0) || (r.when ?? []).some((w) => w.key === 'destination.port')));
      for (const rule of [...p.http.rules, ...p.tcp.rules]) {
        for (const c of ruleConstraints(rule)) {
          const target = constraintTarget(c.attribute.key);
          const values = [...(c.values ?? []), ...(c.notValues ?? [])].map((m) => m.raw);
          if (target.type === 'dimension') {
            const set = atoms.get(target.key) ?? new Set<string>();
            values.forEach((v) => set.add(v));
            atoms.set(target.key, set);
          } else if (target.type === 'port' && namesPorts) {
            values.filter((v) => /^\d+$/.test(v)).forEach((v) => ports.add(Number(v)));
          }
        }
      }
    }
    for (const port of input.policies.peerAuthentication.ports.keys()) ports.add(port);
  }
  return { atoms, ports };
}

describe('buildRequestSpace', () => {
  it('has the atoms and ports of a plain walk over every constraint of every version', () => {
    const version = fc.record({
      action: fc.constantFrom('ALLOW', 'DENY', 'AUDIT'),
      rules: fc.array(fc.integer({ min: 0, max: RULES.length - 1 }), { maxLength: 5 }),
      peerPort: fc.boolean(),
    });
    fc.assert(fc.property(version, version, fc.boolean(), (x, y, share) => {
      const shared = new SharedRules(MESH);
      const inputs = [x, y].map((v): VersionInput => {
        const policies = createEvaluator(parseConfigText(config(v.action, v.rules, v.peerPort), 'test.yaml')).policiesFor('ns', { app: 'x' });
        return { policies: share ? shared.workload(policies) : policies };
      });
      // Twice: the second space reads the rules' memo.
      for (let i = 0; i < 2; i++) {
        const space = buildRequestSpace('ns', { app: 'x' }, inputs, MESH);
        const { atoms, ports } = reference(inputs);
        const raws = (key: string): string[] => [...new Set([...(atoms.get(key) ?? [])])].sort();
        expect(space.dimensions.filter((d) => d.kind !== 'token').map((d) => [d.key, d.atoms.map((a) => a.raw)]))
          .toEqual([...atoms.keys()].filter((k) => k !== 'token').sort((a, b) => space.dimensionIndex(a) - space.dimensionIndex(b)).map((k) => [k, raws(k)]));
        expect(space.dimensionIndex('token') >= 0).toBe(atoms.has('token'));
        expect(new Set(space.slices.filter((s) => !s.other).map((s) => s.port))).toEqual(ports);
      }
    }), { numRuns: 200 });
  });

  // diff16: a constraint's mask is built from its values' masks, each value tested once per space.
  it('gives each constraint the mask of testing it on every region, in every version', () => {
    const version = fc.record({
      action: fc.constantFrom('ALLOW', 'DENY'),
      rules: fc.array(fc.integer({ min: 0, max: RULES.length - 1 }), { maxLength: 5 }),
      peerPort: fc.boolean(),
    });
    fc.assert(fc.property(version, version, (x, y) => {
      const inputs = [x, y].map((v): VersionInput => ({
        policies: createEvaluator(parseConfigText(config(v.action, v.rules, v.peerPort), 'test.yaml')).policiesFor('ns', { app: 'x' }),
      }));
      const space = buildRequestSpace('ns', { app: 'x' }, inputs, MESH);
      inputs.forEach((input, v) => {
        const { deny, allow } = decisivePolicies(input.policies, MESH);
        for (const p of [...deny, ...allow]) {
          for (const rule of [...p.http.rules, ...p.tcp.rules]) {
            for (const c of ruleConstraints(rule)) {
              const target = constraintTarget(c.attribute.key);
              if (target.type !== 'dimension') continue;
              const d = space.dimensionIndex(target.key);
              const plain = space.dimensions[d].regions.reduce((m, r, i) => (constraintMatches(c, r.attrs[v]) ? m | (1n << BigInt(i)) : m), 0n);
              // Asked twice (the second answer is the memo's), in either version first.
              expect(space.constraintMask(c, d, v)).toBe(plain);
              expect(space.constraintMask(c, d, v)).toBe(plain);
            }
          }
        }
      });
    }), { numRuns: 200 });
  });
});
