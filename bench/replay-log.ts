/**
 * A large Istio TEXT access log (inbound entries with `kubectl logs --prefix` prefixes) and the
 * matching inventory, from a generated mesh's synthesized objects: the requests of
 * generate-requests.ts (a fixed set of distinct requests, cycled with advancing timestamps), each
 * addressed to a pod of its destination; mesh callers come from their own pod's address with the
 * Istio mTLS SNI, plaintext callers from addresses outside the inventory.
 */
import * as fs from 'fs';
import { generateRequests } from './generate-requests';

/** Writes `lines` log lines to `logFile` and the inventory to `inventoryFile`; returns the distinct requests. */
export async function writeReplayLog(
  objects: readonly Record<string, unknown>[], lines: number, logFile: string, inventoryFile: string, distinct = 200_000,
): Promise<number> {
  const requests = generateRequests(objects, Math.min(lines, distinct));
  const pods = new Map<string, { name: string; ns: string; labels: Record<string, string>; ip: string }>();
  const podOf = (ns: string, labels: Record<string, string>): { name: string; ip: string } => {
    const key = `${ns}/${labels.app}`;
    let p = pods.get(key);
    if (!p) {
      const i = pods.size + 1;
      p = { name: `${labels.app}-7d9f8-x${i}`, ns, labels, ip: `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}` };
      pods.set(key, p);
    }
    return p;
  };
  for (const r of requests) podOf(r.destination.namespace, r.destination.labels);
  const out = fs.createWriteStream(logFile);
  const write = (s: string): Promise<void> => new Promise((resolve) => (out.write(s) ? resolve() : out.once('drain', () => resolve())));
  const base = Date.UTC(2026, 10, 30);
  for (let n = 0; n < lines; n++) {
    const r = requests[n % requests.length];
    const dst = podOf(r.destination.namespace, r.destination.labels);
    const principal = r.source.principal;
    const src = principal ? pods.get(`${principal.split('/')[2]}/${principal.split('/')[4]}`) : undefined;
    const remote = src && principal ? src.ip : r.source.ip;
    const sni = principal ? `outbound_.${r.destination.port}_._.${r.destination.labels.app}.${r.destination.namespace}.svc.cluster.local` : '-';
    const time = new Date(base + n).toISOString();
    const req = r.protocol === 'HTTP' ? `${r.method ?? 'GET'} ${r.path ?? '/'} HTTP/1.1` : '- - -';
    const code = r.protocol === 'HTTP' ? 200 : 0;
    await write(`[pod/${dst.name}/istio-proxy] [${time}] "${req}" ${code} - via_upstream - "-" 0 42 3 2 "-" "bench" "r${n}" "${r.destination.labels.app}" `
      + `"${dst.ip}:${r.destination.port}" inbound|${r.destination.port}|| 127.0.0.6:40000 ${dst.ip}:${r.destination.port} ${remote}:5${n % 10000} ${sni} default\n`);
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  // Sources that only call (never a destination) are not in the inventory: replay reports them, as it should.
  const items = [...pods.values()].map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.ns, labels: p.labels },
    spec: { serviceAccountName: p.labels.app, containers: [{ name: 'app', image: 'app:1' }] },
    status: { podIP: p.ip },
  }));
  fs.writeFileSync(inventoryFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  return requests.length;
}
