/**
 * Kubernetes `LabelSelector` (`matchLabels` and `matchExpressions`), as webhook configurations use
 * it (`namespaceSelector`, `objectSelector`). Absent or empty, it selects everything.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 * @module
 */
import { asRecord, isRecord, stringEntries } from '../../../private/records';

/** True when the labels satisfy the selector; an unknown operator selects nothing (as the API server would reject it). */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return true;
  for (const [k, v] of Object.entries(stringEntries(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const expr = asRecord(e);
    const key = typeof expr.key === 'string' ? expr.key : '';
    const values = Array.isArray(expr.values) ? expr.values.filter((x): x is string => typeof x === 'string') : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expr.operator) {
      case 'In': if (!has || !values.includes(labels[key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
