import { ApiObject } from 'cdk8s';
import { Diagnostic } from '../errors';
import type { Mesh } from './mesh';
import type { ReferenceWorkload } from './reference-workload';
import { PortProtocol, portNamePrefix } from '../model/service-port';
import { appendAll } from '../private/arrays';
import { PROXY_UID } from '../render/sidecar/sidecar-settings';
import { formatLabels, selectorMatches } from '../semantics/labels';

/**
 * Checks of one reference workload, run at synth:
 * - TM_APP_RUNS_AS_PROXY_UID (error, istioctl IST0144): an in-mesh application running as UID 1337,
 *   whose traffic the sidecar's iptables rules exempt from capture, so it bypasses mTLS and policy;
 * - TM_PORT_NAME_PROTOCOL_MISMATCH (error): a port name whose prefix names another protocol than
 *   the declared one;
 * - TM_PORT_NAME_WITHOUT_PROTOCOL (warning, Kiali KIA0601): a port name without a protocol prefix.
 *   Istio reads `appProtocol` first, but reviewers, Kiali and tools that only read names do not.
 */
export function workloadDiagnostics(workload: ReferenceWorkload): Diagnostic[] {
  const out: Diagnostic[] = [];
  const service = workload.service;
  const where = `${service.namespace}/${service.name}`;
  if (service.inMesh && workload.runAsUser === PROXY_UID) {
    out.push({
      code: 'TM_APP_RUNS_AS_PROXY_UID',
      severity: 'error',
      upstreamCode: 'IST0144',
      message: `the application of ${where} runs as UID ${PROXY_UID}, the proxy's UID: the sidecar does not capture its traffic, so its calls bypass mTLS and authorization`,
      fix: 'run the application as another non-root UID, e.g. runAsUser: 1000',
    });
  }
  for (const port of service.ports) {
    const named = protocolFromPortName(port.name);
    const prefix = portNamePrefix(port.protocol);
    if (named === undefined) {
      out.push({
        code: 'TM_PORT_NAME_WITHOUT_PROTOCOL',
        severity: 'warning',
        upstreamCode: 'KIA0601',
        message: `port ${port.port} of ${where} is named "${port.name}", which names no protocol; only appProtocol "${port.protocol.toLowerCase()}" tells Istio it is ${port.protocol}`,
        fix: `name it "${prefix}" or "${prefix}-<suffix>" (or drop the name: the default is "${prefix}-${port.port}")`,
      });
    } else if (named !== port.protocol) {
      out.push({
        code: 'TM_PORT_NAME_PROTOCOL_MISMATCH',
        severity: 'error',
        message: `port ${port.port} of ${where} is declared ${port.protocol} but named "${port.name}", which names `
          + (named === 'OTHER' ? `another protocol (${port.name.split('-')[0]})` : named),
        fix: `name it "${prefix}-<suffix>", or declare the port with the protocol its name says`,
      });
    }
  }
  return out;
}

/**
 * Whole-mesh checks of the reference workloads, run at synth with the mesh's own checks (two
 * services sharing a service account are already reported by the model as TM_IDENTITY_COLLISION):
 * - TM_DEFAULT_SERVICE_ACCOUNT: a workload running as the namespace's `default` service account
 *   (error when an intention names that identity, which then means every pod using `default`);
 * - TM_WORKLOAD_SELECTOR_OVERLAP (error): one Deployment's selector also matches another's pods;
 * - TM_SELECTOR_MATCHES_NO_WORKLOAD (warning, istioctl IST0127, Kiali KIA0004): an Istio object's
 *   workload selector matches no reference workload of its namespace.
 */
export function meshWorkloadDiagnostics(mesh: Mesh, workloads: readonly ReferenceWorkload[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const named = new Set(mesh.model.spec.intentions
    .flatMap((i) => i.peer.kind === 'service' ? [`${i.peer.namespace}/${i.peer.serviceAccount}`] : []));
  for (const w of workloads) {
    if (w.serviceAccountName !== 'default') continue;
    const used = named.has(`${w.service.namespace}/default`);
    out.push({
      code: 'TM_DEFAULT_SERVICE_ACCOUNT',
      severity: used ? 'error' : 'warning',
      location: { constructPath: w.node.path },
      message: `${w.service.namespace}/${w.service.name} runs as the namespace's "default" service account`
        + (used ? ', and an intention names that identity: it would admit every pod that has no service account of its own' : ': its identity is shared with every pod that has no service account of its own'),
      fix: `give the service its own serviceAccount, e.g. "${w.service.name}"`,
    });
  }
  for (const a of workloads) {
    for (const b of workloads) {
      if (a === b || a.service.namespace !== b.service.namespace) continue;
      if (selectorMatches(a.selector, b.podLabels)) {
        out.push({
          code: 'TM_WORKLOAD_SELECTOR_OVERLAP',
          severity: 'error',
          location: { constructPath: a.node.path },
          message: `the Deployment ${a.name} selects ${formatLabels(a.selector)}, which also matches the pods of ${b.name} (${formatLabels(b.podLabels)}): the two Deployments would fight over them`,
          fix: `add a label that tells them apart, e.g. labels: { ...${JSON.stringify(a.selector)}, version: 'v1' }`,
        });
      }
    }
  }
  appendAll(out, checkPolicySelectors(mesh, workloads));
  return out;
}

function checkPolicySelectors(mesh: Mesh, workloads: readonly ReferenceWorkload[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const namespaces = new Set(workloads.map((w) => w.service.namespace));
  for (const c of mesh.node.findAll()) {
    if (!ApiObject.isApiObject(c) || !c.apiGroup.endsWith('istio.io')) continue;
    let manifest: SelectingManifest;
    try {
      manifest = c.toJson() as SelectingManifest;
    } catch {
      continue; // the model's own checks report why it cannot render
    }
    const namespace = manifest.metadata?.namespace ?? '';
    const selector = manifest.spec?.selector?.matchLabels ?? manifest.spec?.workloadSelector?.labels;
    if (!namespaces.has(namespace) || !selector || Object.keys(selector).length === 0) continue;
    if (workloads.some((w) => w.service.namespace === namespace && selectorMatches(selector, w.podLabels))) continue;
    out.push({
      code: 'TM_SELECTOR_MATCHES_NO_WORKLOAD',
      severity: 'warning',
      upstreamCode: 'IST0127',
      location: { constructPath: c.node.path },
      message: `${c.kind} ${namespace}/${manifest.metadata?.name} selects ${formatLabels(selector)}, which matches no reference workload in namespace ${namespace}`,
      fix: 'emit a reference workload for the service it protects (its `workload` prop), or check the service\'s labels',
    });
  }
  return out;
}

/** The fields of an Istio object that select workloads (`selector` on security kinds, `workloadSelector` on Sidecar). */
interface SelectingManifest {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly selector?: { readonly matchLabels?: Record<string, string> };
    readonly workloadSelector?: { readonly labels?: Record<string, string> };
  };
}

const NAMED_PROTOCOLS: Readonly<Record<string, PortProtocol | 'OTHER'>> = {
  http: 'HTTP',
  http2: 'HTTP2',
  https: 'HTTPS',
  grpc: 'GRPC',
  tls: 'TLS',
  tcp: 'TCP',
  mongo: 'OTHER',
  mysql: 'OTHER',
  redis: 'OTHER',
  udp: 'OTHER',
};

/**
 * The protocol Istio infers from a port name: `grpc-web` first (it contains a dash), then the
 * part before the first dash (`kube.ConvertProtocol`).
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function protocolFromPortName(name: string): PortProtocol | 'OTHER' | undefined {
  const lower = name.toLowerCase();
  if (lower.startsWith('grpc-web')) return 'GRPC_WEB';
  return NAMED_PROTOCOLS[lower.split('-')[0]];
}
