// Helpers for the evaluator tests: YAML in, decisions out.
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { evaluate } from '../../../src/analysis/evaluator/evaluate';
import { AccessDecision } from '../../../src/semantics/access-request';
import { parseAccessRequest } from '../../../src/semantics/parse-access-request';

/** Parses manifests (one YAML stream). */
export function config(yaml: string): IstioConfig {
  const c = parseConfigText(yaml, 'test.yaml');
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  return c;
}

/** A request document; fields default to an mTLS GET from dev/sleep to foo/httpbin:8000. */
export interface RequestInput {
  protocol?: 'HTTP' | 'TCP';
  principal?: string | null;
  namespace?: string | null;
  ip?: string;
  remoteIp?: string;
  jwt?: unknown;
  destNamespace?: string;
  labels?: Record<string, string>;
  port?: number;
  destIp?: string;
  host?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  sni?: string;
}

export const SLEEP_DEV = 'cluster.local/ns/dev/sa/sleep';

/** Builds the JSON document of a request. */
export function requestDoc(input: RequestInput = {}): Record<string, unknown> {
  const protocol = input.protocol ?? 'HTTP';
  const principal = input.principal === undefined ? SLEEP_DEV : input.principal;
  const doc: Record<string, unknown> = {
    protocol,
    source: {
      principal,
      ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
      ip: input.ip ?? '10.0.0.1',
      ...(input.remoteIp ? { remoteIp: input.remoteIp } : {}),
    },
    jwt: input.jwt ?? null,
    destination: {
      namespace: input.destNamespace ?? 'foo',
      labels: input.labels ?? { app: 'httpbin' },
      port: input.port ?? 8000,
      ...(input.destIp ? { ip: input.destIp } : {}),
    },
  };
  if (protocol === 'HTTP') {
    doc.method = input.method ?? 'GET';
    doc.path = input.path ?? '/';
    if (input.host !== undefined) doc.host = input.host;
    if (input.headers) doc.headers = input.headers;
  }
  if (input.sni !== undefined) doc.sni = input.sni;
  return doc;
}

/** Decides a request. */
export function decide(cfg: IstioConfig, input: RequestInput = {}, mesh: MeshConfig = DEFAULT_MESH_CONFIG): AccessDecision {
  return evaluate(cfg, parseAccessRequest(requestDoc(input)), mesh);
}

/** An AuthorizationPolicy manifest. */
export function ap(name: string, namespace: string, spec: string, annotations = ''): string {
  return `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
${annotations ? `  annotations:\n${annotations}\n` : ''}spec:
${spec.split('\n').map((l) => `  ${l}`).join('\n')}
`;
}
