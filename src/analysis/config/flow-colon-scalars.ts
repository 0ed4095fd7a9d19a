/**
 * Plain scalars that end in `:` inside flow collections, read the way the Kubernetes API server
 * reads them. The API server decodes YAML with sigs.k8s.io/yaml, i.e. go-yaml v2 (libyaml's
 * scanner): there a `:` ends a plain scalar only when a space, a line break or the end follows
 * it. YAML 1.2 parsers (the `yaml` package, js-yaml) also end it before `,`, `]` or `}` in a flow
 * collection, so `addresses: [1.2.3.4, 001:db8::]` — an IPv6 address — came out as
 * `["1.2.3.4", {"001:db8:": null}]` where the cluster stores `["1.2.3.4", "001:db8::"]`.
 *
 * @see https://github.com/kubernetes-sigs/yaml
 * @module
 */
import { Document, isMap, isScalar, isSeq, Node, Pair, Scalar, visit } from 'yaml';

/** True when a stream may hold such a scalar (a `:` right before `,`, `]` or `}`): only then is {@link readFlowColonScalars} needed. */
export function mayHaveFlowColonScalars(text: string): boolean {
  return /:[,\]}]/.test(text);
}

/**
 * Rewrites, in place, each flow-collection entry that go-yaml v2 reads as one plain scalar ending
 * in `:` but the `yaml` package read as a key with an empty value: in a flow sequence the
 * one-entry map becomes that string, in a flow map the key does.
 *
 * @param text the text the document was parsed from (its nodes' ranges index into it)
 */
export function readFlowColonScalars(doc: Document.Parsed, text: string): void {
  const joined = (pair: Pair): Scalar | undefined => {
    const key = pair.key;
    if (!isScalar(key) || key.type !== 'PLAIN' || !key.range || !isEmpty(pair.value)) return undefined;
    const end = key.range[1];
    if (text[end] !== ':' || !',]}'.includes(text[end + 1] ?? '')) return undefined;
    const scalar = new Scalar(`${typeof key.value === 'string' ? key.value : text.slice(key.range[0], end)}:`);
    scalar.range = [key.range[0], end + 1, end + 1];
    return scalar;
  };
  visit(doc, {
    Seq(_, seq) {
      if (!seq.flow) return;
      seq.items.forEach((item, i) => {
        if (!isMap(item) || !item.flow || item.items.length !== 1) return;
        const scalar = joined(item.items[0] as Pair);
        if (scalar) seq.items[i] = scalar;
      });
    },
    Map(_, map) {
      if (!map.flow) return;
      for (const pair of map.items as Pair[]) {
        const scalar = joined(pair);
        if (scalar) pair.key = scalar;
      }
    },
  });
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return isScalar(value) && value.value === null && (value as Node & { source?: string }).source === '' && !isSeq(value);
}
