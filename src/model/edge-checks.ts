/**
 * Whole-graph checks of the mesh's edges, run at synth with the model's other checks. Each
 * finding names the matching istioctl (`IST…`) or Kiali (`KIA…`) code where one exists: the same
 * problem the analyzer reports on YAML, caught before any YAML is written.
 *
 * @module
 */
import { Diagnostic } from '../errors';
import { EdgesSpec } from './edges';
import { GatewayRouteSpec, GatewayServerSpec, IngressGatewaySpec, routeMatchesOverlap } from './ingress-gateway';
import { serviceKey } from './intention';
import { MeshModel } from './mesh-model';
import { ServiceSpec } from './mesh-spec';
import { gatewayHostCovers } from '../semantics/host-match';
import { formatLabels } from '../semantics/labels';

/** Every edge finding of a model (errors fail the synth). */
export function edgeDiagnostics(model: MeshModel, edges: EdgesSpec): Diagnostic[] {
  return [
    ...checkCredentials(edges),
    ...checkDuplicateServers(edges),
    ...checkRoutes(model, edges),
    ...checkExternalServices(edges),
  ];
}

function checkCredentials(edges: EdgesSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const gw of edges.gateways) {
    for (const server of gw.servers) {
      const name = server.tls?.credentialName;
      if (!name) continue;
      const where = `gateway ${gw.namespace}/${gw.name} server ${server.name} (port ${server.port})`;
      const credential = edges.credentials.find((c) => c.secretName === name && c.namespace === gw.namespace);
      if (!credential) {
        const elsewhere = edges.credentials.find((c) => c.secretName === name);
        out.push({
          code: 'TM_GATEWAY_CREDENTIAL_NOT_FOUND',
          severity: 'error',
          upstreamCode: 'IST0101',
          message: elsewhere
            ? `${where}: credential Secret "${name}" is emitted in namespace ${elsewhere.namespace}, but the gateway reads credentials from its own namespace ${gw.namespace}`
            : `${where}: credential Secret "${name}" is neither issued by the mesh CA nor declared as existing, so the gateway would have no certificate`,
          fix: `use GatewayCredential.fromCa(ca, '<credential>') (after \`trustmesh ca issue gateway --name <credential> --host ${server.hosts[0]}\`) or GatewayCredential.fromSecretName('${name}') for a Secret in ${gw.namespace} managed elsewhere`,
        });
        continue;
      }
      const mode = server.tls?.mode;
      if ((mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') && !credential.clientCa) {
        out.push({
          code: 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA',
          severity: 'error',
          message: `${where}: ${mode} TLS verifies client certificates, but credential Secret "${name}" carries no CA bundle (ca.crt)`,
          fix: credential.origin === 'ca'
            ? 'create the credential with GatewayCredential.fromCa(ca, name, { verifyClients: true })'
            : 'declare the existing Secret with GatewayCredential.fromSecretName(name, { clientCa: true }) once it holds ca.crt (or a <name>-cacert Secret exists)',
        });
      }
      if (credential.dnsNames) {
        const uncovered = server.hosts.filter((h) => !credential.dnsNames!.some((d) => gatewayHostCovers(d, h)));
        if (uncovered.length > 0) {
          out.push({
            code: 'TM_GATEWAY_CREDENTIAL_HOST_MISMATCH',
            severity: 'error',
            message: `${where}: the certificate in "${name}" is for ${credential.dnsNames.join(', ')}, not for ${uncovered.join(', ')}: clients would reject it`,
            fix: `re-issue it with the server's hosts: \`trustmesh ca issue gateway --name <credential> ${server.hosts.map((h) => `--host ${h}`).join(' ')} --force\``,
          });
        }
      }
    }
  }
  return out;
}

/**
 * Two servers for the same port and host on gateways selecting the same pods: Envoy gets two
 * filter chains for one SNI/host and istiod keeps only one (istioctl IST0145, Kiali KIA0301).
 */
function checkDuplicateServers(edges: EdgesSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, { gw: IngressGatewaySpec; server: GatewayServerSpec }>();
  for (const gw of edges.gateways) {
    const selector = formatLabels(gw.selector);
    for (const server of gw.servers) {
      for (const host of server.hosts) {
        const key = `${selector}|${server.port}|${host.toLowerCase()}`;
        const first = seen.get(key);
        if (first) {
          out.push({
            code: 'TM_GATEWAY_DUPLICATE_SERVER',
            severity: 'error',
            upstreamCode: first.gw === gw ? 'KIA0301' : 'IST0145',
            message: `gateway ${gw.namespace}/${gw.name} server ${server.name} and gateway ${first.gw.namespace}/${first.gw.name} server ${first.server.name} both serve host ${host} on port ${server.port} of the pods ${selector}; only one of them takes effect`,
            fix: 'declare each host and port once per gateway workload',
          });
        } else {
          seen.set(key, { gw, server });
        }
      }
    }
  }
  return out;
}

function checkRoutes(model: MeshModel, edges: EdgesSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const gw of edges.gateways) {
    for (const route of gw.routes) {
      const where = `route ${serviceKey(route.service)} via gateway ${gw.namespace}/${gw.name}`;
      const service = model.service(route.service);
      if (!service) {
        out.push({
          code: 'TM_UNKNOWN_SERVICE',
          severity: 'error',
          message: `${where}: ${serviceKey(route.service)} is not declared in mesh "${model.spec.name}"`,
          fix: 'route to services of the gateway\'s own mesh',
        });
      } else if (!admitsGateway(model, gw, service)) {
        out.push({
          code: 'TM_GATEWAY_ROUTE_NOT_ALLOWED',
          severity: 'warning',
          message: `${where}: no ALLOW intention of ${serviceKey(service)} names the gateway's identity (${gw.namespace}/${gw.serviceAccount}), so its default deny refuses every routed request`,
          fix: `declare it: ${service.name}.allowFrom(gateway, { ... })`,
        });
      }
    }
    // VirtualServices for one gateway host are merged by istiod in an unspecified order: routes of
    // different services must not both match a request.
    // https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services
    for (const [i, j] of routePairsSharingAHost(gw.routes)) {
      const a = gw.routes[i];
      const b = gw.routes[j];
      if (a.kind !== b.kind || serviceKey(a.service) === serviceKey(b.service)) continue;
      const hosts = a.hosts.filter((h) => b.hosts.some((x) => gatewayHostCovers(x, h) || gatewayHostCovers(h, x)));
      if (hosts.length === 0) continue;
      if (a.kind === 'http' && !routeMatchesOverlap(a.matches, b.matches)) continue;
      out.push({
        code: 'TM_GATEWAY_ROUTE_CONFLICT',
        severity: 'error',
        message: `gateway ${gw.namespace}/${gw.name}: the ${a.kind} routes to ${serviceKey(a.service)} and ${serviceKey(b.service)} both match host ${hosts.join(', ')}${a.kind === 'http' ? ' and overlapping paths' : ''}; istiod merges them in an unspecified order`,
        fix: a.kind === 'http' ? 'give the routes disjoint path prefixes, or different hosts' : 'give each passthrough service its own SNI host',
      });
    }
  }
  return out;
}

/**
 * The pairs (i < j, in that order) of routes that may serve a common host: those with an exact
 * host in common (case-insensitively), and every pair with a route that has a wildcard host.
 * Other pairs cannot match one request, so the conflict check need not look at them.
 */
function routePairsSharingAHost(routes: readonly GatewayRouteSpec[]): [number, number][] {
  const n = routes.length;
  const pairs = new Set<number>();
  const byHost = new Map<string, number[]>();
  routes.forEach((r, i) => {
    const hosts = new Set(r.hosts.map((h) => h.toLowerCase()));
    if ([...hosts].some((h) => h === '*' || h.startsWith('*.'))) {
      for (let k = 0; k < n; k++) if (k !== i) pairs.add(Math.min(i, k) * n + Math.max(i, k));
    }
    for (const host of hosts) {
      const list = byHost.get(host);
      if (list) list.push(i);
      else byHost.set(host, [i]);
    }
  });
  for (const indexes of byHost.values()) {
    for (let x = 0; x < indexes.length; x++) for (let y = x + 1; y < indexes.length; y++) pairs.add(indexes[x] * n + indexes[y]);
  }
  return [...pairs].sort((a, b) => a - b).map((p) => [Math.floor(p / n), p % n]);
}

/** Whether some enforced ALLOW intention of the service can match calls from the gateway's identity. */
function admitsGateway(model: MeshModel, gw: IngressGatewaySpec, service: ServiceSpec): boolean {
  const allows = model.intentionsFor(service).filter((i) => i.action === 'ALLOW' && i.enforcement === 'ENFORCE');
  if (allows.length === 0) return model.effectiveAccess(service.namespace) === 'ALLOW';
  return allows.some((i) => {
    const p = i.peer;
    switch (p.kind) {
      case 'service': return p.inMesh && p.namespace === gw.namespace && p.serviceAccount === gw.serviceAccount;
      case 'namespace': return p.namespace === gw.namespace;
      case 'anyMeshIdentity':
      case 'anyone':
      case 'ipBlocks':
        return true;
    }
  });
}

function checkExternalServices(edges: EdgesSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const se of edges.externalServices) {
    const key = `${se.namespace}|${se.host}`;
    if (seen.has(key)) {
      out.push({
        code: 'TM_DUPLICATE_EGRESS_HOST',
        severity: 'error',
        message: `egress to ${se.host} is declared twice in namespace ${se.namespace} (${seen.get(key)} and ${se.name})`,
        fix: 'declare every port of the host in one allowEgressTo call',
      });
    }
    seen.set(key, se.name);
  }
  for (const ex of edges.plaintextExceptions) {
    if (edges.externalServices.some((se) => se.host === ex.host && se.tls)) {
      out.push({
        code: 'TM_PLAINTEXT_CONFLICTS_WITH_TLS',
        severity: 'error',
        message: `${ex.host} has both a plaintext exception and TLS origination: the two DestinationRules contradict each other`,
        fix: 'keep one of them',
      });
    }
  }
  return out;
}
