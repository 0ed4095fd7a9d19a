// The inventory answers for every peer of a large mesh: an exact pattern is a set lookup, which
// must answer as matching the pattern against every known name does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../../src/analysis/analyzer/rules/inventory';
import { parseConfigText } from '../../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../../src/analysis/config/mesh-config';
import { compileStringPattern } from '../../../../src/semantics/string-match';

const names = fc.constantFrom('a', 'ab', 'b', 'ba', 'default', 'foo', 'foo-bar', '');
const patterns = fc.oneof(names, names.map((n) => `${n}*`), names.map((n) => `*${n}`), fc.constantFrom('*', '**', 'a*b', '*a*'));

function inventoryOf(namespaces: readonly string[], accounts: readonly string[]): Inventory {
  const docs = [
    ...namespaces.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: "${n}"}\n`),
    ...accounts.map((a) => `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: "${a}", namespace: ns}\n`),
  ];
  return new Inventory(parseConfigText(docs.join('---\n'), 'inventory.yaml'), DEFAULT_MESH_CONFIG, 'auto');
}

describe('Inventory', () => {
  it('matches namespace and service account patterns as matching every known name does (property)', () => {
    const builtin = ['default', 'kube-system', 'kube-public', 'kube-node-lease', DEFAULT_MESH_CONFIG.rootNamespace, 'ns'];
    let exact = 0;
    fc.assert(fc.property(fc.uniqueArray(names, { maxLength: 4 }), fc.uniqueArray(names, { maxLength: 4 }), patterns,
      (namespaces, accounts, pattern) => {
        const inv = inventoryOf(namespaces, accounts);
        const p = compileStringPattern(pattern);
        if (!pattern.startsWith('*') && !pattern.endsWith('*')) exact++;
        expect(inv.namespaceMatches(pattern)).toBe([...namespaces, ...builtin].some((n) => p.test(n)));
        expect(inv.serviceAccountMatches('ns', pattern)).toBe(['default', ...accounts].some((a) => p.test(a)));
        expect(inv.serviceAccountMatches('other', pattern)).toBe(p.test('default'));
      }), { numRuns: 500, seed: 1017 });
    expect(exact).toBeGreaterThan(100);
  });
});
