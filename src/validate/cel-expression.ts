/**
 * What a parsed CEL expression reads: its free identifiers and functions (to reject rules we cannot
 * evaluate), and whether it only tests the presence of `self`'s fields (such rules need no value).
 *
 * @module
 */
import { type parse } from '@bufbuild/cel';

/** A parsed CEL expression. */
export type Expr = ReturnType<typeof parse>['expr'];

/** Collects the identifiers (not bound by a comprehension) and the functions an expression references. */
export function collectReferences(expr: Expr | undefined, bound: ReadonlySet<string>, refs: { idents: Set<string>; functions: Set<string> }): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (!bound.has(kind.value.name)) refs.idents.add(kind.value.name);
      return;
    case 'selectExpr':
      collectReferences(kind.value.operand, bound, refs);
      return;
    case 'callExpr':
      refs.functions.add(kind.value.function);
      collectReferences(kind.value.target, bound, refs);
      kind.value.args.forEach((a) => collectReferences(a, bound, refs));
      return;
    case 'listExpr':
      kind.value.elements.forEach((e) => collectReferences(e, bound, refs));
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') collectReferences(entry.keyKind.value, bound, refs);
        collectReferences(entry.value, bound, refs);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      collectReferences(c.iterRange, bound, refs);
      collectReferences(c.accuInit, bound, refs);
      const inner = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar].filter((n) => n !== ''));
      collectReferences(c.loopCondition, inner, refs);
      collectReferences(c.loopStep, inner, refs);
      collectReferences(c.result, inner, refs);
      return;
    }
    default:
      return;
  }
}

/**
 * Whether `self` appears in `expr` only as `has(self.<field>)`; collects those fields. Anything
 * else that reads `self` (a value, a size, a comparison) makes the rule value-dependent.
 */
export function presenceOnly(expr: Expr | undefined, fields: Set<string>): boolean {
  if (!expr) return true;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      return kind.value.name !== 'self';
    case 'selectExpr': {
      const operand = kind.value.operand?.exprKind;
      if (kind.value.testOnly && operand?.case === 'identExpr' && operand.value.name === 'self') {
        fields.add(kind.value.field);
        return true;
      }
      return presenceOnly(kind.value.operand, fields);
    }
    case 'callExpr':
      return presenceOnly(kind.value.target, fields) && kind.value.args.every((a) => presenceOnly(a, fields));
    case 'constExpr':
      return true;
    default:
      // Lists, maps and comprehensions: treat as value-dependent.
      return false;
  }
}

/**
 * Whether `expr` is a comprehension over `self` (`self.all(k, …)`, `self.exists(k, …)`, …) whose
 * body does not read `self`: on a map it sees only the keys, so its result depends on them alone
 * (e.g. "label names must not be empty" on `matchLabels`, whose values differ per workload).
 */
export function keysOnly(expr: Expr | undefined): boolean {
  const kind = expr?.exprKind;
  if (kind?.case !== 'comprehensionExpr') return false;
  const c = kind.value;
  const range = c.iterRange?.exprKind;
  if (range?.case !== 'identExpr' || range.value.name !== 'self' || c.iterVar2 !== '') return false;
  const refs = { idents: new Set<string>(), functions: new Set<string>() };
  const inner = new Set([c.iterVar, c.accuVar].filter((n) => n !== ''));
  collectReferences(c.accuInit, new Set(), refs);
  for (const part of [c.loopCondition, c.loopStep, c.result]) collectReferences(part, inner, refs);
  return !refs.idents.has('self');
}
