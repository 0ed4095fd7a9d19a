/**
 * Sidecar and Telemetry resources that compete for the same workloads (istioctl
 * `sidecar.SelectorAnalyzer`, `telemetry.SelectorAnalyzer`, `telemetry.DefaultSelectorAnalyzer`).
 * istiod applies one Sidecar (and one Telemetry per level) to a workload; with several, which one
 * wins is unspecified. Reported on each resource involved:
 *
 * - `TM_SIDECAR_WORKLOAD_CONFLICT` (error, `IST0110` ConflictingSidecarWorkloadSelectors): several
 *   Sidecars whose `workloadSelector` matches one workload of the input.
 * - `TM_SIDECAR_NAMESPACE_CONFLICT` (error, `IST0111` MultipleSidecarsWithoutWorkloadSelectors):
 *   several Sidecars without `workloadSelector` in one namespace.
 * - `TM_TELEMETRY_WORKLOAD_CONFLICT` (error, `IST0159` ConflictingTelemetryWorkloadSelectors) and
 *   `TM_TELEMETRY_NAMESPACE_CONFLICT` (error, `IST0160` MultipleTelemetriesWithoutWorkloadSelectors):
 *   the same for Telemetry `selector` (a Telemetry with `targetRefs` is not namespace-wide).
 * - `TM_SIDECAR_INEFFECTIVE_IN_AMBIENT` (warning, `IST0167` IneffectivePolicy): a Sidecar for a
 *   namespace in ambient mode, or selecting a pod redirected to ztunnel
 *   (`ambient.istio.io/redirection: enabled`): there is no sidecar to configure.
 *
 * Several documents for one resource (same namespace and name) count once.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0110/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0159/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { workloadIndex } from './selector-index';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { IstioResource, LoadedObject, Workload } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';

const SIDECAR_WORKLOAD: AnalyzerCheck = {
  code: 'TM_SIDECAR_WORKLOAD_CONFLICT',
  severity: 'error',
  upstreamCode: 'IST0110',
  title: 'several Sidecars select the same workload',
};
const SIDECAR_NAMESPACE: AnalyzerCheck = {
  code: 'TM_SIDECAR_NAMESPACE_CONFLICT',
  severity: 'error',
  upstreamCode: 'IST0111',
  title: 'several Sidecars without workloadSelector in one namespace',
};
const TELEMETRY_WORKLOAD: AnalyzerCheck = {
  code: 'TM_TELEMETRY_WORKLOAD_CONFLICT',
  severity: 'error',
  upstreamCode: 'IST0159',
  title: 'several Telemetry resources select the same workload',
};
const TELEMETRY_NAMESPACE: AnalyzerCheck = {
  code: 'TM_TELEMETRY_NAMESPACE_CONFLICT',
  severity: 'error',
  upstreamCode: 'IST0160',
  title: 'several Telemetry resources without selector in one namespace',
};
const AMBIENT: AnalyzerCheck = {
  code: 'TM_SIDECAR_INEFFECTIVE_IN_AMBIENT',
  severity: 'warning',
  upstreamCode: 'IST0167',
  title: 'a Sidecar applies to ambient-mode workloads, which have no sidecar',
};

/** One resource with the selector it was read from. */
interface Selecting {
  readonly obj: IstioResource;
  /** Undefined: applies to the whole namespace. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly path: FieldPath;
}

/** The rule family. */
export const workloadSelectorConflictsRule: AnalyzerRule = {
  name: 'workload-selector-conflicts',
  checks: [SIDECAR_WORKLOAD, SIDECAR_NAMESPACE, TELEMETRY_WORKLOAD, TELEMETRY_NAMESPACE, AMBIENT],
  run(context) {
    const out: Diagnostic[] = [];
    const index = workloadIndex(context.inventory.workloads);
    const ambientNamespaces = new Set(context.config.namespaces.filter(isAmbientNamespace).map((n) => n.metadata.name));
    const sidecars = latest(context.config.sidecars).map((obj): Selecting => {
      const labels = stringEntries(asRecord(obj.spec.workloadSelector).labels);
      return Object.keys(labels).length > 0 ? { obj, selector: labels, path: ['spec', 'workloadSelector'] } : { obj, path: ['metadata', 'name'] };
    });
    const telemetries = latest(context.config.telemetries).flatMap((obj): Selecting[] => {
      if (obj.spec.selector === undefined || obj.spec.selector === null) {
        return Array.isArray(obj.spec.targetRefs) || obj.spec.targetRef !== undefined ? [] : [{ obj, path: ['metadata', 'name'] }];
      }
      const labels = stringEntries(asRecord(obj.spec.selector).matchLabels);
      return Object.keys(labels).length > 0 ? [{ obj, selector: labels, path: ['spec', 'selector'] }] : [];
    });
    const reported = new Set<LoadedObject>();
    // Sidecars with a selector: conflicts per workload, ambient pods.
    for (const [workload, list] of byWorkload(sidecars, index)) {
      if (workload.metadata.annotations['ambient.istio.io/redirection'] === 'enabled') {
        for (const s of list) {
          if (reported.has(s.obj)) continue;
          reported.add(s.obj);
          out.push(finding(AMBIENT, s.obj, s.path,
            `${objectRef(s.obj)}: the selected workload ${workload.kind} ${workload.metadata.namespace}/${workload.metadata.name} is in ambient mode, the policy has no impact`,
            'Remove the Sidecar, or configure the workload through its waypoint instead.'));
        }
      } else if (list.length > 1) {
        conflict(SIDECAR_WORKLOAD, 'Sidecars', list, workload, reported, out);
      }
    }
    for (const [ns, list] of byNamespace(sidecars)) {
      if (ambientNamespaces.has(ns)) {
        for (const s of list) {
          if (reported.has(s.obj)) continue;
          reported.add(s.obj);
          out.push(finding(AMBIENT, s.obj, s.path, `${objectRef(s.obj)}: namespace ${ns} is in ambient mode, the policy has no impact`,
            'Remove the Sidecar, or configure the workloads through a waypoint instead.'));
        }
      } else if (list.length > 1) {
        namespaceConflict(SIDECAR_NAMESPACE, 'Sidecars', 'workload selector', list, ns, out);
      }
    }
    for (const [workload, list] of byWorkload(telemetries, index)) {
      if (list.length > 1) conflict(TELEMETRY_WORKLOAD, 'Telemetries', list, workload, reported, out);
    }
    for (const [ns, list] of byNamespace(telemetries)) {
      if (list.length > 1) namespaceConflict(TELEMETRY_NAMESPACE, 'Telemetries', 'selector', list, ns, out);
    }
    return out;
  },
};

function conflict(check: AnalyzerCheck, what: string, list: readonly Selecting[], workload: Workload, reported: Set<LoadedObject>,
  out: Diagnostic[]): void {
  const names = list.map((s) => s.obj.metadata.name).sort();
  for (const s of list) {
    if (reported.has(s.obj)) continue;
    reported.add(s.obj);
    out.push(finding(check, s.obj, s.path,
      `${objectRef(s.obj)}: the ${what} [${names.join(' ')}] in namespace ${workload.metadata.namespace} select the same workload ${workload.kind} ${workload.metadata.name}, which can lead to undefined behavior: istiod applies only one of them`,
      `Make the selectors disjoint, or merge the ${what} into one.`));
  }
}

function namespaceConflict(check: AnalyzerCheck, what: string, field: string, list: readonly Selecting[], ns: string, out: Diagnostic[]): void {
  const names = list.map((s) => s.obj.metadata.name).sort();
  for (const s of list) {
    out.push(finding(check, s.obj, s.path,
      `${objectRef(s.obj)}: the ${what} [${names.join(' ')}] in namespace ${ns} have no ${field}, which can lead to undefined behavior: istiod applies only one of them to the namespace`,
      `Keep one ${what === 'Sidecars' ? 'Sidecar' : 'Telemetry'} without ${field} per namespace; give the others a ${field}, or merge them.`));
  }
}

/** Workloads matched by the selecting resources (same namespace), with the resources, in load order. */
function byWorkload(list: readonly Selecting[], index: ReturnType<typeof workloadIndex>): Map<Workload, Selecting[]> {
  const out = new Map<Workload, Selecting[]>();
  for (const s of list) {
    if (!s.selector) continue;
    for (const w of index.select(s.selector, s.obj.metadata.namespace)) {
      const l = out.get(w) ?? [];
      l.push(s);
      out.set(w, l);
    }
  }
  return out;
}

function byNamespace(list: readonly Selecting[]): Map<string, Selecting[]> {
  const out = new Map<string, Selecting[]>();
  for (const s of list) {
    if (s.selector) continue;
    const l = out.get(s.obj.metadata.namespace) ?? [];
    l.push(s);
    out.set(s.obj.metadata.namespace, l);
  }
  return out;
}

/** One object per namespace/name: the last document (what applying them all leaves). */
export function latest<T extends LoadedObject>(objects: readonly T[]): T[] {
  const m = new Map<string, T>();
  for (const o of objects) {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    m.delete(key);
    m.set(key, o);
  }
  return [...m.values()];
}

/** istioctl `NamespaceInAmbientMode`: `istio.io/dataplane-mode: ambient` without sidecar injection labels. */
export function isAmbientNamespace(ns: LoadedObject): boolean {
  const l = ns.metadata.labels;
  if (l['istio-injection'] === 'enabled') return false;
  if (l['istio.io/rev']) return false;
  return l['istio.io/dataplane-mode'] === 'ambient';
}
