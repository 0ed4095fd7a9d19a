/**
 * Sidecar injection (istioctl `injection.Analyzer`), judged on the input's Namespace objects and
 * Pods:
 *
 * - `TM_NAMESPACE_NOT_INJECTED` (info, `IST0102` NamespaceNotInjected): a Namespace without
 *   `istio-injection` or `istio.io/rev` (and not ambient): its pods join the mesh only if they
 *   ask for it.
 * - `TM_NAMESPACE_INJECTED_BY_DEFAULT` (info, `IST0148` NamespaceInjectionEnabledByDefault): the
 *   same Namespace when the injector ConfigMap (`istio-sidecar-injector[-<rev>]`) has
 *   `sidecarInjectorWebhook.enableNamespacesByDefault: true`: it *is* injected.
 * - `TM_NAMESPACE_MULTIPLE_INJECTION_LABELS` (warning, `IST0123`): more than one of
 *   `istio-injection`, `istio.io/rev` and `istio.io/dataplane-mode` in force on a Namespace;
 *   which one wins is not obvious.
 * - `TM_POD_MISSING_PROXY` (warning, `IST0103` PodMissingProxy): a Pod of an
 *   `istio-injection=enabled` Namespace without an `istio-proxy` container (not opted out with
 *   `sidecar.istio.io/inject: "false"`, not `hostNetwork`): it was created before injection was
 *   enabled, and runs outside the mesh until restarted.
 *
 * The mesh root namespace is skipped, as istioctl skips `istio-system`, and so are the namespaces
 * istioctl never analyzes (`kube-system`, `kube-public`, `kube-node-lease`, `local-path-storage`).
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0102/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0103/
 * @module
 */
import { ISTIOCTL_IGNORED_NAMESPACES } from './inventory';
import { hasProxyContainer, podTemplate } from './pod-spec';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord, isRecord } from '../../../private/records';
import { IstioConfig, LoadedObject } from '../../config/istio-config';

const NOT_INJECTED: AnalyzerCheck = {
  code: 'TM_NAMESPACE_NOT_INJECTED',
  severity: 'info',
  upstreamCode: 'IST0102',
  title: 'a Namespace is not enabled for Istio sidecar injection',
};
const INJECTED_BY_DEFAULT: AnalyzerCheck = {
  code: 'TM_NAMESPACE_INJECTED_BY_DEFAULT',
  severity: 'info',
  upstreamCode: 'IST0148',
  title: 'a Namespace without injection labels is injected because the injector enables namespaces by default',
};
const MULTIPLE_LABELS: AnalyzerCheck = {
  code: 'TM_NAMESPACE_MULTIPLE_INJECTION_LABELS',
  severity: 'warning',
  upstreamCode: 'IST0123',
  title: 'a Namespace has more than one kind of injection label',
};
const MISSING_PROXY: AnalyzerCheck = {
  code: 'TM_POD_MISSING_PROXY',
  severity: 'warning',
  upstreamCode: 'IST0103',
  title: 'a Pod of an injected Namespace runs without the Istio proxy',
};

/** `istio-injection`, the classic injection label. */
export const INJECTION_LABEL = 'istio-injection';
/** `istio.io/rev`, revision-based injection. */
export const REVISION_LABEL = 'istio.io/rev';
const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
const INJECT_SETTING = 'sidecar.istio.io/inject';


/** The rule family. */
export const sidecarInjectionRule: AnalyzerRule = {
  name: 'sidecar-injection',
  checks: [NOT_INJECTED, INJECTED_BY_DEFAULT, MULTIPLE_LABELS, MISSING_PROXY],
  run(context) {
    const out: Diagnostic[] = [];
    const { config } = context;
    const injected = new Set<string>();
    for (const ns of config.namespaces) {
      const name = ns.metadata.name;
      if (name === 'istio-system' || name === context.mesh.rootNamespace || ISTIOCTL_IGNORED_NAMESPACES.has(name)) continue;
      const labels = ns.metadata.labels;
      const injection = labels[INJECTION_LABEL];
      const inForce = injection !== undefined ? [`${INJECTION_LABEL}=${injection}`] : [];
      for (const l of [REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
        if (l in labels && (injection === undefined || injection === 'enabled')) inForce.push(`${l}=${labels[l]}`);
      }
      if (inForce.length > 1) {
        out.push(finding(MULTIPLE_LABELS, ns, ['metadata', 'labels'],
          `${objectRef(ns)} has more than one type of injection labels [${inForce.join(' ')}], which may lead to undefined behavior`,
          'Keep one injection label: istio-injection=enabled, or istio.io/rev=<revision> for a revision, or istio.io/dataplane-mode=ambient.'));
      }
      if (labels[DATAPLANE_MODE_LABEL] === 'ambient') continue;
      if ((injection === undefined || injection === '') && !(REVISION_LABEL in labels)) {
        if (enabledByDefault(config, labels[REVISION_LABEL])) {
          out.push(finding(INJECTED_BY_DEFAULT, ns, ['metadata', 'name'],
            `${objectRef(ns)} is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true`,
            `Label it explicitly (kubectl label namespace ${name} istio-injection=enabled, or =disabled to keep it out).`));
        } else {
          out.push(finding(NOT_INJECTED, ns, ['metadata', 'name'],
            `${objectRef(ns)} is not enabled for Istio injection: its pods join the mesh only if they opt in`,
            `Run 'kubectl label namespace ${name} istio-injection=enabled' to enable it, or 'kubectl label namespace ${name} istio-injection=disabled' to explicitly mark it as not needing injection.`));
        }
        continue;
      }
      if (injection === 'enabled') injected.add(name);
    }
    for (const pod of config.workloads) {
      if (pod.kind !== 'Pod' || !injected.has(pod.metadata.namespace)) continue;
      const setting = pod.metadata.labels[INJECT_SETTING] ?? pod.metadata.annotations[INJECT_SETTING] ?? '';
      if (setting.toLowerCase() === 'false' || podTemplate(pod)?.spec.hostNetwork === true || hasProxyContainer(pod)) continue;
      out.push(finding(MISSING_PROXY, pod, ['metadata', 'name'],
        `${objectRef(pod)} is missing the Istio proxy although namespace ${pod.metadata.namespace} is labelled istio-injection=enabled: it runs outside the mesh`,
        'Restart or redeploy the workload (kubectl rollout restart) so the injector adds the proxy, or opt it out with sidecar.istio.io/inject: "false".'));
    }
    return out;
  },
};

/**
 * `sidecarInjectorWebhook.enableNamespacesByDefault` of the injector ConfigMap for a revision
 * (`istio-sidecar-injector`, or `istio-sidecar-injector-<rev>`), read from its `values` JSON.
 */
function enabledByDefault(config: IstioConfig, revision: string | undefined): boolean {
  const name = revision === undefined || revision === '' || revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
  const cm = config.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
  const values = cm ? injectorValues(cm) : undefined;
  return asRecord(values?.sidecarInjectorWebhook).enableNamespacesByDefault === true;
}

/** The `values` JSON of an injector ConfigMap, when it parses. */
export function injectorValues(cm: LoadedObject): Readonly<Record<string, unknown>> | undefined {
  const text = asRecord(cm.body.data).values;
  if (typeof text !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
