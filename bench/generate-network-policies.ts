/**
 * NetworkPolicies for the benchmark mesh, mirroring its AuthorizationPolicies at L4 (until the
 * `netpol` synthesis is merged): per namespace a default-deny ingress policy, and per ALLOW
 * AuthorizationPolicy with a selector one NetworkPolicy selecting the same pods, admitting the
 * namespaces its sources name (`/ns/<name>/` of principals, `namespaces`) — any namespace when a
 * rule names none — on the ports its operations name (every port when none).
 */

/** NetworkPolicy objects for the given manifests (plain objects, as the bench dump holds them). */
export function generateNetworkPolicies(objects: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const namespaces = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'AuthorizationPolicy') continue;
    const meta = o.metadata as { name: string; namespace: string };
    const spec = (o.spec ?? {}) as { action?: string; selector?: { matchLabels?: Record<string, string> }; rules?: unknown[] };
    namespaces.add(meta.namespace);
    if ((spec.action ?? 'ALLOW') !== 'ALLOW' || !spec.selector?.matchLabels) continue;
    const from = new Set<string>();
    const ports = new Set<number>();
    let anySource = false;
    type Rule = { from?: { source?: { principals?: string[]; namespaces?: string[] } }[]; to?: { operation?: { ports?: string[] } }[] };
    for (const rule of (spec.rules ?? []) as Rule[]) {
      if (!rule.from || rule.from.length === 0) anySource = true;
      for (const f of rule.from ?? []) {
        for (const p of f.source?.principals ?? []) {
          const m = /\/ns\/([^/]+)\//.exec(p);
          if (m) from.add(m[1]);
        }
        for (const n of f.source?.namespaces ?? []) from.add(n);
        if (!f.source?.principals && !f.source?.namespaces) anySource = true;
      }
      for (const t of rule.to ?? []) for (const p of t.operation?.ports ?? []) ports.add(Number(p));
    }
    const peers = anySource || from.size === 0 ? undefined
      : [...from].sort().map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }));
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `l4-${meta.name}`, namespace: meta.namespace },
      spec: {
        podSelector: { matchLabels: spec.selector.matchLabels },
        policyTypes: ['Ingress'],
        ingress: [{
          ...(peers ? { from: peers } : {}),
          ...(ports.size > 0 ? { ports: [...ports].sort((a, b) => a - b).map((port) => ({ port })) } : {}),
        }],
      },
    });
  }
  for (const ns of [...namespaces].sort()) {
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  }
  return out;
}
