/**
 * The proxy image of workloads (istioctl `injection.ImageAutoAnalyzer` and `injection.ImageAnalyzer`):
 *
 * - `TM_IMAGE_AUTO_WITHOUT_INJECTION`: an `istio-proxy` container with `image: auto` (the
 *   placeholder gateway and kube-inject templates use, which the injector replaces). On a Pod it
 *   was never injected: error, istioctl `IST0147` ImageAutoWithoutInjectionError. On a
 *   Deployment (and other pod templates) that no Istio injection webhook (a
 *   MutatingWebhookConfiguration webhook named `*istio.io`) selects — by namespace and object
 *   selector — its pods will not start: warning, `IST0146` ImageAutoWithoutInjectionWarning.
 *   Judged when the input has a MutatingWebhookConfiguration, or with `--inventory complete`.
 * - `TM_PROXY_IMAGE_MISMATCH` (warning, `IST0158` PodsIstioProxyImageMismatchInNamespace): Pods of
 *   an injected Namespace whose `istio-proxy` image differs from the one the injector ConfigMap
 *   (`istio-sidecar-injector[-<rev>]`, `global.hub`/`global.proxy.image`/`global.tag`) injects,
 *   also with the image type suffix (`-distroless`) from MeshConfig, ProxyConfig or the
 *   `proxy.istio.io/config` annotation: they run an old proxy, typically after an upgrade.
 *   Reported once per Namespace.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0146/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0158/
 * @module
 */
import { labelSelectorMatches } from './label-selector';
import { PROXY_CONTAINER, podContainers, podTemplate } from './pod-spec';
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { injectorValues, INJECTION_LABEL, REVISION_LABEL } from './sidecar-injection';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { selectorMatches } from '../../../semantics/labels';
import { LoadedObject, Workload } from '../../config/istio-config';
import { parseYamlDocuments } from '../../config/yaml-source';

const IMAGE_AUTO: AnalyzerCheck = {
  code: 'TM_IMAGE_AUTO_WITHOUT_INJECTION',
  severity: 'warning',
  upstreamCode: 'IST0146',
  title: 'an istio-proxy container with image: auto that no injection webhook will fill in',
};
const MISMATCH: AnalyzerCheck = {
  code: 'TM_PROXY_IMAGE_MISMATCH',
  severity: 'warning',
  upstreamCode: 'IST0158',
  title: 'pods run an Istio proxy image other than the one the injector injects',
};

/** The rule family. */
export const proxyImageRule: AnalyzerRule = {
  name: 'proxy-image',
  checks: [IMAGE_AUTO, MISMATCH],
  run(context) {
    return [...imageAuto(context), ...imageMismatch(context)];
  },
};

function imageAuto(context: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { config, inventory } = context;
  const webhookConfigs = config.objects.filter((o) => o.kind === 'MutatingWebhookConfiguration');
  const webhooks = webhookConfigs.flatMap((c) => (Array.isArray(c.body.webhooks) ? c.body.webhooks : []).map(asRecord))
    .filter((w) => typeof w.name === 'string' && w.name.endsWith('istio.io'));
  const judgeTemplates = webhookConfigs.length > 0 || inventory.mode === 'complete';
  const namespaceLabels = new Map(config.namespaces.map((n) => [n.metadata.name, n.metadata.labels]));
  for (const w of config.workloads) {
    const template = podTemplate(w);
    if (!template) continue;
    const auto = podContainers(template, false).find((c) => c.name === PROXY_CONTAINER && c.image === 'auto');
    if (!auto) continue;
    const path = [...auto.path, 'image'];
    if (w.kind === 'Pod') {
      out.push(finding(IMAGE_AUTO, w, path,
        `${objectRef(w)} contains \`image: auto\` but does not match any Istio injection webhook selectors: the pod was not injected and its proxy cannot start`,
        'Enable injection for the pod (namespace label istio-injection=enabled or istio.io/rev, pod label sidecar.istio.io/inject: "true") and recreate it.',
        { severity: 'error', upstreamCode: 'IST0147' }));
      continue;
    }
    if (!judgeTemplates) continue;
    const nsLabels = namespaceLabels.get(w.metadata.namespace) ?? {};
    if (webhooks.some((h) => labelSelectorMatches(h.namespaceSelector, nsLabels) && labelSelectorMatches(h.objectSelector, w.podLabels))) continue;
    out.push(finding(IMAGE_AUTO, w, path,
      `${objectRef(w)} contains \`image: auto\` but does not match any Istio injection webhook selectors (${webhooks.length} webhook${webhooks.length === 1 ? '' : 's'} named *istio.io in the input): its pods will not start`,
      `Label namespace ${w.metadata.namespace} for injection (istio-injection=enabled or istio.io/rev=<revision>) or the pod template with sidecar.istio.io/inject: "true".`));
  }
  return out;
}

function imageMismatch(context: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { config } = context;
  const images = new Map<string, string>();
  for (const o of config.objects) {
    if (o.kind === 'ConfigMap' && o.metadata.name.startsWith('istio-sidecar-injector')) images.set(o.metadata.name, injectedImage(o));
  }
  if (images.size === 0) return out;
  const types = new ImageTypes(context);
  const mismatched = new Map<string, { readonly ns: LoadedObject; readonly pods: string[] }>();
  for (const ns of config.namespaces) {
    const labels = ns.metadata.labels;
    if (labels[INJECTION_LABEL] !== 'enabled' && !(REVISION_LABEL in labels)) continue;
    const rev = labels[REVISION_LABEL];
    const cmName = rev === undefined || rev === '' || rev === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${rev}`;
    const expected = images.get(cmName);
    if (expected === undefined) continue;
    for (const pod of context.inventory.workloadsIn(ns.metadata.name)) {
      if (pod.kind !== 'Pod' || pod.metadata.annotations['sidecar.istio.io/proxyImage']) continue;
      const template = podTemplate(pod);
      const proxies = template ? podContainers(template, true).filter((c) => c.name === PROXY_CONTAINER) : [];
      const variant = types.imageType(pod);
      if (!proxies.some((c) => c.image !== expected && c.image !== `${expected}-${variant}`)) continue;
      const entry = mismatched.get(ns.metadata.name) ?? { ns, pods: [] };
      entry.pods.push(pod.metadata.name);
      mismatched.set(ns.metadata.name, entry);
    }
  }
  for (const { ns, pods } of mismatched.values()) {
    pods.sort();
    out.push(finding(MISMATCH, ns, ['metadata', 'name'],
      `${objectRef(ns)}: the Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [${pods.join(' ')}]); this often happens after upgrading the control plane`,
      `Redeploy the pods (kubectl rollout restart deployment -n ${ns.metadata.name}) so they get the current proxy.`));
  }
  return out;
}

/** The proxy image an injector ConfigMap injects: `global.proxy.image` when it has a registry, else `hub/image:tag`. */
function injectedImage(cm: LoadedObject): string {
  const global = asRecord(injectorValues(cm)?.global);
  const image = asRecord(global.proxy).image;
  if (typeof image === 'string' && image.includes('/')) return image;
  return `${String(global.hub ?? '')}/${String(image ?? '')}:${String(global.tag ?? '')}`;
}

/** The proxy image type (`distroless`, …) of a pod: MeshConfig, then ProxyConfig root, namespace, workload, then the pod annotation. */
class ImageTypes {
  private readonly meshDefault: string;
  private readonly root: string;
  private readonly byNamespace = new Map<string, string>();
  private readonly workloads: { readonly namespace: string; readonly selector: Readonly<Record<string, string>>; readonly type: string }[] = [];

  public constructor(context: RuleContext) {
    this.meshDefault = imageTypeOf(asRecord(context.mesh.raw?.defaultConfig));
    let root = '';
    for (const o of context.config.objects) {
      if (o.kind !== 'ProxyConfig' || !o.apiVersion.startsWith('networking.istio.io/')) continue;
      const spec = asRecord(o.body.spec);
      const type = imageTypeOf(spec);
      if (o.metadata.namespace === context.mesh.rootNamespace) root = type;
      else if (spec.selector === undefined || spec.selector === null) this.byNamespace.set(o.metadata.namespace, type);
      else this.workloads.push({ namespace: o.metadata.namespace, selector: stringEntries(asRecord(spec.selector).matchLabels), type });
    }
    this.root = root;
  }

  public imageType(pod: Workload): string {
    let type = this.meshDefault;
    if (this.root) type = this.root;
    const ns = this.byNamespace.get(pod.metadata.namespace);
    if (ns) type = ns;
    for (const w of this.workloads) if (w.namespace === pod.metadata.namespace && w.type && selectorMatches(w.selector, pod.podLabels)) type = w.type;
    const annotation = pod.metadata.annotations['proxy.istio.io/config'];
    if (annotation) {
      try {
        const fromPod = imageTypeOf(asRecord(parseYamlDocuments(annotation, 'proxy.istio.io/config')[0]?.value));
        if (fromPod) type = fromPod;
      } catch {
        // An unparsable annotation is ignored, as istiod ignores it.
      }
    }
    return type === 'default' ? '' : type;
  }
}

function imageTypeOf(proxyConfig: Readonly<Record<string, unknown>>): string {
  const t = asRecord(proxyConfig.image).imageType;
  return typeof t === 'string' ? t : '';
}
