/**
 * Deterministic generator of a legacy (Istio 1.1–1.5) mesh for the `convert` benchmark: S services
 * in min(50, S) namespaces, as one YAML stream —
 * - MeshPolicy `default` (STRICT mTLS) and per namespace a Policy `default` (STRICT; every fifth
 *   namespace PERMISSIVE);
 * - on every tenth service a targeted Policy with a JWT origin whose trigger rule excludes
 *   `/healthz`;
 * - ClusterRbacConfig `default` ON_WITH_EXCLUSION (every tenth namespace excluded);
 * - per service a ServiceRole (GET/POST on API paths; any method on `version: v1` pods) and a
 *   ServiceRoleBinding (three callers' service accounts, the service's own namespace, and on the
 *   JWT services a `request.auth.claims[role]` subject);
 * - per service a Service (port 80 → 8080) and a Deployment (`app`, `version: v1`).
 *
 * Everything converts (no refusal), so the proof has work on every service.
 */
import { prng } from './generate-mesh';

/** The generated stream and its size. */
export interface LegacyMesh {
  readonly yaml: string;
  /** Legacy objects (Policy, MeshPolicy, ClusterRbacConfig, ServiceRole, ServiceRoleBinding). */
  readonly legacyObjects: number;
  /** All objects (legacy + Services + Deployments). */
  readonly objects: number;
}

/** Generates the legacy mesh of `services` services. */
export function generateLegacyMesh(services: number, seed = 1): LegacyMesh {
  const random = prng(seed);
  const namespaces = Math.min(50, services);
  const nsOf = (i: number): string => `team-${String(i % namespaces).padStart(3, '0')}`;
  const nameOf = (i: number): string => `svc-${String(i).padStart(5, '0')}`;
  const docs: string[] = [];
  let legacy = 0;
  const add = (doc: string, isLegacy: boolean): void => {
    docs.push(doc);
    if (isLegacy) legacy++;
  };
  add('apiVersion: authentication.istio.io/v1alpha1\nkind: MeshPolicy\nmetadata: {name: default}\nspec:\n  peers: [{mtls: {}}]', true);
  for (let n = 0; n < namespaces; n++) {
    add(`apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: default, namespace: ${nsOf(n)}}\nspec:\n  peers: [{mtls: {mode: ${n % 5 === 4 ? 'PERMISSIVE' : 'STRICT'}}}]`, true);
  }
  const excluded = Array.from({ length: namespaces }, (_, n) => nsOf(n)).filter((_, n) => n % 10 === 9);
  add(`apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec:\n  mode: ON_WITH_EXCLUSION\n  exclusion:\n    namespaces: [${excluded.join(', ')}]`, true);
  for (let i = 0; i < services; i++) {
    const ns = nsOf(i);
    const name = nameOf(i);
    const fqdn = `${name}.${ns}.svc.cluster.local`;
    const jwt = i % 10 === 3;
    add([
      'apiVersion: v1', 'kind: Service', `metadata: {name: ${name}, namespace: ${ns}}`,
      `spec: {selector: {app: ${name}}, ports: [{name: http, port: 80, targetPort: 8080}]}`,
    ].join('\n'), false);
    add([
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}-v1, namespace: ${ns}}`,
      `spec: {selector: {matchLabels: {app: ${name}, version: v1}}, template: {metadata: {labels: {app: ${name}, version: v1}},`
        + ` spec: {serviceAccountName: ${name}, containers: [{name: app, image: example/app, ports: [{containerPort: 8080}]}]}}}`,
    ].join('\n'), false);
    if (jwt) {
      add([
        'apiVersion: authentication.istio.io/v1alpha1', 'kind: Policy', `metadata: {name: ${name}-jwt, namespace: ${ns}}`, 'spec:',
        `  targets: [{name: ${name}}]`, '  peers: [{mtls: {}}]', '  origins:', '  - jwt:', '      issuer: https://login.example.com',
        '      jwksUri: https://login.example.com/jwks.json', '      trigger_rules: [{excluded_paths: [{prefix: /healthz}]}]',
      ].join('\n'), true);
    }
    add([
      'apiVersion: rbac.istio.io/v1alpha1', 'kind: ServiceRole', `metadata: {name: ${name}-viewer, namespace: ${ns}}`, 'spec:', '  rules:',
      `  - services: [${fqdn}]`, '    methods: [GET, POST]', `    paths: [/api/v${1 + (i % 2)}/*, /healthz]`,
      `  - services: [${fqdn}]`, '    constraints: [{key: "destination.labels[version]", values: [v1]}]', '    methods: [PUT]',
    ].join('\n'), true);
    const callers = [0, 1, 2].map(() => Math.floor(random() * services));
    add([
      'apiVersion: rbac.istio.io/v1alpha1', 'kind: ServiceRoleBinding', `metadata: {name: ${name}-viewer-binding, namespace: ${ns}}`, 'spec:',
      '  subjects:',
      ...callers.map((c) => `  - user: cluster.local/ns/${nsOf(c)}/sa/${nameOf(c)}`),
      `  - properties: {source.namespace: ${ns}}`,
      ...(jwt ? ['  - properties: {"request.auth.claims[role]": reader}'] : []),
      `  roleRef: {kind: ServiceRole, name: ${name}-viewer}`,
    ].join('\n'), true);
  }
  return { yaml: `${docs.join('\n---\n')}\n`, legacyObjects: legacy, objects: docs.length };
}
