/**
 * Kubernetes `metav1.LabelSelector` as NetworkPolicy uses it: `matchLabels` and
 * `matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`), all requirements ANDed; the empty
 * selector matches everything.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 * @module
 */
import { formatLabels } from '../../semantics/labels';

/** A `matchExpressions` operator. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One `matchExpressions[]` entry. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Non-empty for `In`/`NotIn`, empty for `Exists`/`DoesNotExist`. */
  readonly values: readonly string[];
}

/** A label selector. Empty (no labels, no expressions) selects everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** The operators `matchExpressions` accepts. */
export const LABEL_SELECTOR_OPERATORS: readonly LabelSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** The selector that selects everything (`{}`). */
export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

/** True when `selector` selects an object with these labels. */
export function labelSelectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector.matchLabels) if (labels[k] !== selector.matchLabels[k]) return false;
  for (const r of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In': if (!has || !r.values.includes(labels[r.key])) return false; break;
      case 'NotIn': if (has && r.values.includes(labels[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

/** True for the selector that selects everything. */
export function isEverything(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/** `app=web,tier in (a,b),!canary`; `(all)` for the empty selector. */
export function formatLabelSelector(selector: LabelSelector): string {
  if (isEverything(selector)) return '(all)';
  const parts = [formatLabels(selector.matchLabels)].filter((p) => p !== '');
  for (const r of selector.matchExpressions) {
    switch (r.operator) {
      case 'In': parts.push(`${r.key} in (${r.values.join(',')})`); break;
      case 'NotIn': parts.push(`${r.key} notin (${r.values.join(',')})`); break;
      case 'Exists': parts.push(r.key); break;
      case 'DoesNotExist': parts.push(`!${r.key}`); break;
    }
  }
  return parts.join(',');
}
