// Generated traffic: from a random mesh (the property tests' generator), requests are decided by
// the evaluator, written as the access-log entries the proxies would write — Istio TEXT, Istio
// JSON and the trustmesh format, inbound and outbound, IPv4 and IPv6 — read back, and replayed
// against the same policies. Replay must report each request's original decision.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { createEvaluator, Evaluator } from '../../../src/analysis/evaluator/evaluate';
import { Inventory } from '../../../src/analysis/traffic/inventory';
import { Replay } from '../../../src/analysis/traffic/replay';
import { resolveRequest } from '../../../src/analysis/traffic/resolve-request';
import { readTraffic } from '../../../src/analysis/traffic/traffic-reader';
import { TrafficRecord } from '../../../src/analysis/traffic/traffic-record';
import { MeshService } from '../../../src/constructs/mesh-service';
import { renderIstio } from '../../../src/render/istio/render-istio';
import { AccessOutcome, AccessRequest } from '../../../src/semantics/access-request';
import { buildMesh, meshPlan, renderedYaml } from '../../property/mesh-arbitraries';

const MESHES = 25;
const REQUESTS = 60;
const SEED = Number(process.env.TRUSTMESH_PROPERTY_SEED ?? 20261205);
const HTTP_PROTOCOLS = ['HTTP', 'HTTP2', 'GRPC', 'GRPC_WEB'];
const PATHS = ['/', '/admin', '/admin/users', '/api/v1/orders', '/healthz', '/static/app.css', '/admin?x=1'];
const METHODS = ['GET', 'POST', 'DELETE', 'PUT'];
const PLAINTEXT_IP = '10.200.0.1';

interface Pod { readonly svc: MeshService; readonly ip4: string; readonly ip6: string; readonly pod: string }

interface Written {
  readonly request: AccessRequest;
  readonly outcome: AccessOutcome;
  readonly file: string;
  readonly line: number;
  readonly noDecision: boolean;
}

function podsOf(services: readonly MeshService[]): Pod[] {
  return services.map((svc, i) => ({ svc, ip4: `10.1.${i}.10`, ip6: `fd00::1:${i}`, pod: `${svc.name}-5d8f9c-x${i}` }));
}

function inventoryYaml(pods: readonly Pod[]): string {
  const items = pods.flatMap((p) => [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.pod, namespace: p.svc.namespace, labels: { ...p.svc.labels, 'pod-template-hash': '5d8f9c' } },
      spec: { serviceAccountName: p.svc.serviceAccount, containers: [{ name: 'app', image: 'app:1' }] },
      status: { podIP: p.ip4, podIPs: [{ ip: p.ip4 }, { ip: p.ip6 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: p.svc.name, namespace: p.svc.namespace },
      spec: { selector: { ...p.svc.labels }, ports: p.svc.ports.map((port) => ({ port: port.port, targetPort: port.targetPort })) },
    },
  ]);
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** One log line for a decided request, as the destination's (or the caller's) proxy writes it. */
function entry(format: 'text' | 'json' | 'trustmesh', outbound: boolean, r: AccessRequest, outcome: AccessOutcome, src: Pod | undefined, dst: Pod,
  servicePort: number, v6: boolean, n: number): { line: string; noDecision: boolean } {
  const ip = (p: Pod): string => (v6 ? p.ip6 : p.ip4);
  const addr = (a: string, port: number): string => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  const time = new Date(Date.UTC(2026, 10, 30, 10, 0, 0, n)).toISOString();
  const host = `${dst.svc.name}.${dst.svc.namespace}.svc.cluster.local`;
  const tcp = r.protocol === 'TCP';
  // A plaintext connection to a STRICT port never reaches a filter chain: the listener logs NR.
  const refused = outcome === 'DENY_CONN' && r.source.principal === null;
  const code = tcp || refused ? 0 : outcome === 'ALLOW' ? 200 : outcome === 'DENY_401' ? 401 : 403;
  const details = refused ? 'filter_chain_not_found' : tcp || outbound ? (tcp ? '-' : 'via_upstream')
    : outcome === 'ALLOW' ? 'via_upstream' : outcome === 'DENY_401' ? 'jwt_authn_access_denied{Jwt_is_missing}' : 'rbac_access_denied_matched_policy[none]';
  const termination = tcp && outcome === 'DENY_CONN' && !refused ? 'rbac_access_denied_matched_policy[none]' : '-';
  const remote = src ? addr(ip(src), 40000 + (n % 20000)) : addr(PLAINTEXT_IP, 40000 + (n % 20000));
  const f = {
    method: tcp || refused ? '-' : r.method!,
    path: tcp || refused ? '-' : r.path!,
    protocol: tcp || refused ? '-' : 'HTTP/1.1',
    code,
    flags: refused ? 'NR' : '-',
    details,
    termination,
    authority: tcp ? '-' : host,
    upstreamHost: addr(ip(dst), r.destination.port),
    cluster: outbound ? `outbound|${servicePort}||${host}` : refused ? '-' : `inbound|${r.destination.port}||`,
    downstreamLocal: outbound ? addr(v6 ? 'fd00::ffff:1' : '10.96.0.1', servicePort) : addr(ip(dst), r.destination.port),
    remote: outbound ? addr(ip(src!), 39000) : remote,
    sni: r.source.principal !== null && !outbound ? `outbound_.${servicePort}_._.${host}` : '-',
  };
  const noDecision = refused;
  if (format === 'text') {
    return {
      noDecision,
      line: `[${time}] "${f.method} ${f.path} ${f.protocol}" ${f.code} ${f.flags} ${f.details} ${f.termination} "-" 0 10 1 - "-" "gen" "id-${n}" "${f.authority}" `
        + `"${f.upstreamHost}" ${f.cluster} - ${f.downstreamLocal} ${f.remote} ${f.sni} -`,
    };
  }
  const nul = (v: string): string | null => (v === '-' ? null : v);
  const o: Record<string, unknown> = {
    start_time: time,
    method: nul(f.method),
    path: nul(f.path),
    protocol: nul(f.protocol),
    response_code: f.code,
    response_flags: f.flags,
    response_code_details: nul(f.details),
    connection_termination_details: nul(f.termination),
    authority: nul(f.authority),
    upstream_host: f.upstreamHost,
    upstream_cluster: nul(f.cluster),
    downstream_local_address: f.downstreamLocal,
    downstream_remote_address: f.remote,
    requested_server_name: nul(f.sni),
  };
  if (format === 'trustmesh') {
    Object.assign(o, {
      trustmesh: '1',
      peer_uri_san: r.source.principal ? `spiffe://${r.source.principal}` : null,
      pod_name: dst.pod,
      pod_namespace: dst.svc.namespace,
      service_account: dst.svc.serviceAccount,
      jwt: r.jwt?.status === 'valid' ? { [String(r.jwt.claims.iss)]: r.jwt.claims } : null,
    });
  }
  return { noDecision, line: JSON.stringify(o) };
}

describe('generated traffic, written in every format and replayed against the same policies', () => {
  test(`${MESHES} random meshes x ${REQUESTS} requests (seed ${SEED})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-generated-traffic-'));
    const cases: { evaluator: Evaluator; inventory: Inventory; trustDomain: string; written: Written[]; files: string[] }[] = [];
    fc.assert(fc.property(meshPlan, fc.nat(), (plan, seed) => {
      const { mesh, services } = buildMesh(plan);
      const model = mesh.model;
      const config = parseConfigText(renderedYaml(renderIstio(model)), 'rendered.yaml');
      const evaluator = createEvaluator(config, meshConfig({
        rootNamespace: model.spec.rootNamespace, trustDomain: model.spec.trustDomain, trustDomainAliases: model.spec.trustDomainAliases,
      }));
      const pods = podsOf(services);
      const targets = pods.filter((p) => p.svc.inMesh && p.svc.ports.length > 0);
      if (targets.length === 0) return;
      const inventory = Inventory.of([parseConfigText(inventoryYaml(pods), 'inventory.json')]);
      const pick = fc.record({
        dst: fc.constantFrom(...targets),
        port: fc.nat(9),
        src: fc.option(fc.constantFrom(...pods.filter((p) => p.svc.inMesh)), { freq: 4, nil: undefined }),
        method: fc.constantFrom(...METHODS),
        path: fc.constantFrom(...PATHS),
        format: fc.constantFrom('text' as const, 'json' as const, 'trustmesh' as const),
        outbound: fc.boolean(),
        v6: fc.boolean(),
        token: fc.option(fc.constantFrom('https://a.example.com', 'https://b.example.com'), { nil: undefined }),
      });
      const lines: Record<string, string[]> = { text: [], json: [], trustmesh: [] };
      const written: Written[] = [];
      fc.sample(pick, { seed, numRuns: REQUESTS }).forEach((c, n) => {
        const port = c.dst.svc.ports[c.port % c.dst.svc.ports.length];
        const http = HTTP_PROTOCOLS.includes(port.protocol);
        const principal = c.src ? `${model.spec.trustDomain}/ns/${c.src.svc.namespace}/sa/${c.src.svc.serviceAccount}` : null;
        // Only the trustmesh format records the verified token.
        const jwt = http && c.token && c.format === 'trustmesh' ? { status: 'valid' as const, claims: { iss: c.token, sub: 'alice', aud: 'orders', role: 'admin' } } : null;
        const request: AccessRequest = {
          protocol: http ? 'HTTP' : 'TCP',
          source: { principal, namespace: c.src ? c.src.svc.namespace : null, ip: c.src ? (c.v6 ? c.src.ip6 : c.src.ip4) : PLAINTEXT_IP },
          jwt,
          destination: { namespace: c.dst.svc.namespace, labels: { ...c.dst.svc.labels, 'pod-template-hash': '5d8f9c' }, port: port.targetPort },
          ...(http ? { method: c.method, path: c.path, host: `${c.dst.svc.name}.${c.dst.svc.namespace}.svc.cluster.local` } : {}),
        };
        const outcome = evaluator.evaluate(request).outcome;
        // The caller's proxy writes outbound entries for HTTP calls it got an answer to (TEXT and JSON carry no peer identity).
        const outbound = c.outbound && c.src !== undefined && http && outcome !== 'DENY_CONN' && c.format !== 'trustmesh';
        const e = entry(c.format, outbound, request, outcome, c.src, c.dst, port.port, c.v6, n);
        const file = path.join(dir, `m${cases.length}.${c.format}.log`);
        lines[c.format].push(outbound ? `[pod/${c.src!.pod}/istio-proxy] ${e.line}` : `[pod/${c.dst.pod}/istio-proxy] ${e.line}`);
        written.push({ request, outcome, file, line: lines[c.format].length, noDecision: e.noDecision });
      });
      const files = Object.entries(lines).filter(([, l]) => l.length > 0).map(([format, l]) => {
        const file = path.join(dir, `m${cases.length}.${format}.log`);
        fs.writeFileSync(file, `${l.join('\n')}\n`);
        return file;
      });
      cases.push({ evaluator, inventory, trustDomain: model.spec.trustDomain, written, files });
    }), { seed: SEED, numRuns: MESHES });

    let requests = 0;
    let timedGroups = 0;
    for (const c of cases) {
      const records = new Map<string, TrafficRecord>();
      const replay = new Replay([c.evaluator], c.inventory, c.trustDomain);
      const read = await readTraffic(c.files, {}, (r) => {
        records.set(`${r.file}:${r.line}`, r);
        replay.add(r);
      });
      expect(read.malformedCount, JSON.stringify(read.malformed)).toBe(0);
      for (const w of c.written) {
        const record = records.get(`${w.file}:${w.line}`);
        const resolution = record ? resolveRequest(record, c.inventory, c.trustDomain) : undefined;
        if (!resolution || 'unresolved' in resolution) throw new Error(`${w.file}:${w.line} was not resolved: ${JSON.stringify(resolution)}`);
        const replayed = c.evaluator.evaluate(resolution.resolved.request).outcome;
        expect(replayed, `${w.file}:${w.line} ${record!.raw}`).toBe(w.outcome);
        expect(resolution.resolved.verdict, `${w.file}:${w.line} ${record!.raw}`).toBe(w.noDecision ? 'unknown' : w.outcome === 'ALLOW' ? 'served' : 'denied');
        requests++;
      }
      const result = replay.result();
      // The reader's shape store and TEXT byte path (each shape judged once) report exactly what judging every record does,
      // also when every line comes again (the files read twice).
      const viaShapes = new Replay([c.evaluator], c.inventory, c.trustDomain);
      await readTraffic(c.files, {}, viaShapes);
      expect(viaShapes.result()).toEqual(result);
      const twice = [...c.files, ...c.files];
      const everyRecord = new Replay([c.evaluator], c.inventory, c.trustDomain);
      await readTraffic(twice, {}, (r) => everyRecord.add(r));
      const shapesTwice = new Replay([c.evaluator], c.inventory, c.trustDomain);
      await readTraffic(twice, {}, shapesTwice);
      expect(shapesTwice.result()).toEqual(everyRecord.result());
      // The JSON output's key order stays as it was: the seen-times come after the example.
      for (const g of result.groups) if (g.firstSeen !== undefined) expect(Object.keys(g).slice(-3)).toEqual(['example', 'firstSeen', 'lastSeen']);
      timedGroups += result.groups.filter((g) => g.firstSeen !== undefined).length;
      const allowed = c.written.filter((w) => w.outcome === 'ALLOW').length;
      const noDecision = c.written.filter((w) => w.noDecision).length;
      expect(result.totals).toEqual({
        'stillAllowed': allowed,
        'newly-denied': 0,
        'newly-allowed': 0,
        'still-denied': c.written.length - allowed - noDecision,
        'noDecisionThen': noDecision,
        'unresolved': 0,
      });
    }
    expect(requests).toBeGreaterThan(MESHES * REQUESTS / 2);
    expect(timedGroups).toBeGreaterThan(0);
  }, 120_000);
});
