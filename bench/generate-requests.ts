import { prng } from './generate-mesh';
import { AccessRequest } from '../lib/src';

/**
 * A deterministic batch of requests against a generated mesh's synthesized objects: random
 * destinations (from the AuthorizationPolicy selectors), sources (workload identities, plaintext),
 * methods, paths and tokens.
 */
export function generateRequests(objects: readonly Record<string, unknown>[], count: number, seed = 7): AccessRequest[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const destinations: { namespace: string; labels: Record<string, string> }[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const meta = o.metadata as { namespace: string };
    const selector = (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (o.kind !== 'AuthorizationPolicy' || !selector) continue;
    const key = `${meta.namespace}/${JSON.stringify(selector)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    destinations.push({ namespace: meta.namespace, labels: selector });
  }
  const principals = destinations.map((d) => `cluster.local/ns/${d.namespace}/sa/${d.labels.app}`);
  const paths = ['/api/v1/items', '/api/v2/orders', '/api/v2/orders/7', '/healthz', '/metrics', '/admin/x', '/a.json', '/static/app.css', '/'];
  const methods = ['GET', 'POST', 'PUT', 'DELETE'];
  const requests: AccessRequest[] = [];
  for (let i = 0; i < count; i++) {
    const dest = pick(destinations);
    const principal = random() < 0.1 ? null : pick(principals);
    const tcp = random() < 0.1;
    const base = {
      source: { principal, namespace: principal ? principal.split('/')[2] : null, ip: `10.${Math.floor(random() * 256)}.1.${Math.floor(random() * 256)}` },
      destination: { namespace: dest.namespace, labels: dest.labels, port: 8080 + Math.floor(random() * 3) },
    };
    if (tcp) {
      requests.push({ protocol: 'TCP', ...base, destination: { ...base.destination, port: 5432 }, jwt: null });
      continue;
    }
    const token = random() < 0.2
      ? { status: 'valid' as const, claims: { iss: 'https://login.example.com', sub: 'u', aud: 'bench', role: pick(['reader', 'writer', 'admin']) } }
      : null;
    requests.push({ protocol: 'HTTP', ...base, jwt: token, method: pick(methods), path: pick(paths), headers: {} });
  }
  return requests;
}
