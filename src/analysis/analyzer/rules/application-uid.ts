/**
 * `TM_APPLICATION_UID_RESERVED` (warning, istioctl `IST0144` InvalidApplicationUID,
 * `deployment.ApplicationUIDAnalyzer`): a pod (`securityContext.runAsUser`) or an application
 * container runs as UID 1337, the UID reserved for the sidecar proxy. Istio's iptables rules let
 * traffic of UID 1337 bypass the proxy, so the application's outbound calls skip mTLS and
 * authorization — and inbound redirection can loop.
 *
 * Reported on the workload at the `runAsUser` field. istioctl checks Pods and Deployments; trustmesh
 * checks every pod template (StatefulSet, DaemonSet, Job, …) the same way. Control-plane
 * workloads (label `istio`, or `release: istio`) and the `istio-proxy` / `istio-operator`
 * containers are skipped.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0144/
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/
 * @module
 */
import { ISTIOCTL_IGNORED_NAMESPACES } from './inventory';
import { PROXY_CONTAINER, podContainers, podTemplate } from './pod-spec';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { fieldString } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_APPLICATION_UID_RESERVED',
  severity: 'warning',
  upstreamCode: 'IST0144',
  title: 'an application runs as UID 1337, which is reserved for the sidecar proxy',
};

const PROXY_UID = 1337;

/** The rule. */
export const applicationUidRule: AnalyzerRule = {
  name: 'application-uid',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const w of context.config.workloads) {
      if (ISTIOCTL_IGNORED_NAMESPACES.has(w.metadata.namespace)) continue;
      const labels = w.metadata.labels;
      if ('istio' in labels || labels.release === 'istio') continue;
      const template = podTemplate(w);
      if (!template) continue;
      const at = [
        [...template.path, 'securityContext', 'runAsUser'],
        ...podContainers(template, false)
          .filter((c) => c.name !== PROXY_CONTAINER && c.name !== 'istio-operator' && asRecord(c.body.securityContext).runAsUser === PROXY_UID)
          .map((c) => [...c.path, 'securityContext', 'runAsUser']),
      ];
      if (asRecord(template.spec.securityContext).runAsUser !== PROXY_UID) at.shift();
      for (const path of at) {
        out.push(finding(CHECK, w, path,
          `${objectRef(w)}: ${fieldString(path)} is 1337, the user ID reserved for the sidecar proxy: Istio's iptables rules let this UID's traffic bypass the proxy, so the application's calls skip mTLS and authorization`,
          'Run the application as another UID (e.g. runAsUser: 1000); only istio-proxy runs as 1337.'));
      }
    }
    return out;
  },
};
