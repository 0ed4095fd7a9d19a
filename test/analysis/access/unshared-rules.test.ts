// diff16: the rules two versions of a destination do not share are found pair by pair of namesake
// policies when both versions list the same names in the same order (a compiled rule is shared only
// by namesakes, shared-rules.ts). For random lists of policies whose namesakes share some rule
// objects, in random orders, the answer equals the comparison of the two whole flattened lists:
// the same unshared rules, and undefined exactly when the shared rules are not in the same order.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsharedRules } from '../../../src/analysis/access/access-sets';
import { CompiledPolicy, CompiledRule, CompiledRules } from '../../../src/analysis/evaluator/authorization-rule';

function rule(index: number): CompiledRule {
  return { index, conditions: [], ignored: [], guard: {} } as unknown as CompiledRule;
}

function policy(name: string, rules: readonly CompiledRule[], chain?: CompiledRules): CompiledPolicy {
  const compiled: CompiledRules = chain ?? { rules, dropped: [] };
  return { namespace: 'ns', name, http: compiled, tcp: compiled } as unknown as CompiledPolicy;
}

/** The reference: both lists flattened, compared as wholes. */
function flatUnshared(old: readonly CompiledPolicy[], now: readonly CompiledPolicy[]): CompiledRule[] | undefined {
  const a = old.flatMap((p) => p.http.rules);
  const b = now.flatMap((p) => p.http.rules);
  const sharedA = a.filter((r) => b.includes(r));
  const sharedB = b.filter((r) => a.includes(r));
  if (sharedA.length !== sharedB.length || sharedA.some((r, i) => r !== sharedB[i])) return undefined;
  return [...a.filter((r) => !b.includes(r)), ...b.filter((r) => !a.includes(r))];
}

// Per policy: its old rules, and the new version as a selection of old rules (kept, maybe reordered)
// plus fresh ones; or the very same compiled chain.
const edit = fc.record({
  old: fc.integer({ min: 0, max: 4 }),
  keep: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
  fresh: fc.integer({ min: 0, max: 2 }),
  same: fc.boolean(),
});

describe('unsharedRules', () => {
  it('pair by pair of namesakes equals the comparison of the flattened lists', () => {
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.boolean(), (edits, rename, swap) => {
      let next = 0;
      const old: CompiledPolicy[] = [];
      const now: CompiledPolicy[] = [];
      edits.forEach((e, i) => {
        const rules = Array.from({ length: e.old }, () => rule(next++));
        const p = policy(`p${i}`, rules);
        old.push(p);
        if (e.same) {
          now.push(policy(`p${i}`, rules, p.http));
          return;
        }
        const kept = e.keep.filter((k) => k < rules.length).map((k) => rules[k]).filter((r, j, all) => all.indexOf(r) === j);
        const fresh = Array.from({ length: e.fresh }, () => rule(next++));
        now.push(policy(rename && i === 0 ? 'renamed' : `p${i}`, [...kept, ...fresh]));
      });
      // A policy moved: namesakes no longer at the same positions.
      if (swap && now.length > 1) [now[0], now[1]] = [now[1], now[0]];
      const got = unsharedRules(old, now, 'HTTP');
      const want = flatUnshared(old, now);
      expect(got === undefined).toBe(want === undefined);
      if (got !== undefined && want !== undefined) expect(new Set(got)).toEqual(new Set(want));
    }), { numRuns: 500 });
  });
});
