/**
 * The pod template of a workload as written — containers, security context, host network — for
 * the rules that look inside pods (injection, proxy image, UID 1337). Lenient: fields of the wrong
 * type read as absent. Paths are returned so findings point at the field.
 *
 * @module
 */
import { asRecord } from '../../../private/records';
import { Workload } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';

/** The container Istio injects, and the one istioctl looks for. */
export const PROXY_CONTAINER = 'istio-proxy';

/** A container of a pod template. */
export interface PodContainer {
  readonly name: string;
  readonly image: string;
  readonly path: FieldPath;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A workload's pod spec with the path it is at. */
export interface PodTemplate {
  readonly spec: Readonly<Record<string, unknown>>;
  readonly path: FieldPath;
}

/** The pod spec of a workload (`spec` of a Pod, `spec.template.spec`, a CronJob's job template); undefined for a WorkloadEntry. */
export function podTemplate(w: Workload): PodTemplate | undefined {
  const spec = asRecord(w.body.spec);
  if (w.kind === 'WorkloadEntry') return undefined;
  if (w.kind === 'Pod') return { spec, path: ['spec'] };
  if (w.kind === 'CronJob') {
    return { spec: asRecord(asRecord(asRecord(asRecord(spec.jobTemplate).spec).template).spec), path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] };
  }
  return { spec: asRecord(asRecord(spec.template).spec), path: ['spec', 'template', 'spec'] };
}

/** `containers` (and, with `includeInit`, `initContainers`, where native sidecars live). */
export function podContainers(template: PodTemplate, includeInit: boolean): PodContainer[] {
  const out: PodContainer[] = [];
  for (const key of includeInit ? ['containers', 'initContainers'] : ['containers']) {
    const list = template.spec[key];
    (Array.isArray(list) ? list : []).forEach((c, i) => {
      const body = asRecord(c);
      out.push({
        name: typeof body.name === 'string' ? body.name : '',
        image: typeof body.image === 'string' ? body.image : '',
        path: [...template.path, key, i],
        body,
      });
    });
  }
  return out;
}

/** True when the pod template has an `istio-proxy` container with an image (injected or written out). */
export function hasProxyContainer(w: Workload): boolean {
  const t = podTemplate(w);
  return t !== undefined && podContainers(t, true).some((c) => c.name === PROXY_CONTAINER && c.image !== '');
}
