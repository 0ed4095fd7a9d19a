/**
 * What the analysis says about its input besides the policies' meaning: the kinds it does not
 * model (once per kind, with the count — never dropped silently), and policies in a namespace
 * that looks like a root namespace but is not the configured one.
 *
 * @module
 */
import { IstioConfig, LoadedObject } from './istio-config';
import { MeshConfig } from './mesh-config';
import { Diagnostic } from '../../errors';

/** Namespaces commonly used as Istio's root namespace. */
export const COMMON_ROOT_NAMESPACES: readonly string[] = ['istio-config', 'istio-system'];

/** `group/Kind` of what the analysis models (the core group is `''`). */
const MODELLED: ReadonlySet<string> = new Set([
  'security.istio.io/AuthorizationPolicy', 'security.istio.io/PeerAuthentication', 'security.istio.io/RequestAuthentication',
  'networking.istio.io/Gateway', 'networking.istio.io/VirtualService', 'networking.istio.io/Sidecar',
  'networking.istio.io/ServiceEntry', 'networking.istio.io/WorkloadEntry', 'networking.k8s.io/NetworkPolicy',
  '/Namespace', '/Service', '/ServiceAccount', '/Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet',
  'apps/ReplicaSet', 'batch/Job', 'batch/CronJob',
]);

/** Groups whose other versions and kinds the loader already reports one by one. */
const REPORTED_GROUPS: ReadonlySet<string> = new Set(['security.istio.io', 'authentication.istio.io', 'rbac.istio.io']);

const POLICY_KINDS: ReadonlySet<string> = new Set(['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'Sidecar']);

function group(obj: LoadedObject): string {
  return obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
}

/**
 * One warning per kind the analysis does not model, with the count and the first object's
 * location: `ignored 3 EnvoyFilter objects: not modelled`. Sorted by kind.
 */
export function unmodelledKindWarnings(config: IstioConfig): Diagnostic[] {
  const byKind = new Map<string, LoadedObject[]>();
  for (const obj of config.objects) {
    const g = group(obj);
    if (MODELLED.has(`${g}/${obj.kind}`) || REPORTED_GROUPS.has(g)) continue;
    if (obj.kind === 'NetworkPolicy' && obj.apiVersion === 'networking.k8s.io/v1') continue;
    const key = `${obj.kind} (${g === '' ? 'v1' : g})`;
    byKind.set(key, [...(byKind.get(key) ?? []), obj]);
  }
  return [...byKind.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, objs]) => {
    const n = objs.length;
    const first = objs[0];
    return {
      code: 'TM_KIND_NOT_MODELLED',
      severity: 'warning',
      message: `ignored ${n} ${first.kind} object${n === 1 ? '' : 's'} (${first.apiVersion}): not modelled by the analysis`,
      location: first.locate([]),
      fix: 'Decisions, the matrix and the diff do not account for these objects; review their effect by hand.',
    };
  });
}

/**
 * A hint for each policy in a namespace named like a common root namespace (`istio-config`,
 * `istio-system`) that is not the configured root: it applies to that namespace only, which is
 * rarely what a policy there is meant to do.
 */
export function rootNamespaceHints(config: IstioConfig, mesh: MeshConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const obj of config.objects) {
    if (!POLICY_KINDS.has(obj.kind) || !obj.apiVersion.includes('istio.io/')) continue;
    const ns = obj.metadata.namespace;
    if (ns === mesh.rootNamespace || !COMMON_ROOT_NAMESPACES.includes(ns)) continue;
    out.push({
      code: 'TM_ROOT_NAMESPACE_HINT',
      severity: 'warning',
      message: `${obj.kind} ${ns}/${obj.metadata.name} is in ${ns}, which is not the configured root namespace (${mesh.rootNamespace}): `
        + `it is analysed as applying to workloads in ${ns} only, not mesh-wide`,
      location: obj.locate([]),
      fix: `If ${ns} is your mesh's root namespace, pass --mesh-config with "rootNamespace: ${ns}".`,
    });
  }
  return out;
}
