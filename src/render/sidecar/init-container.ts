import { PROXY_UID, SidecarSettings } from './sidecar-settings';
import { istioIptablesArgs } from './traffic';
import { Container } from '../../model/pod-types';

/**
 * The init container that sets up traffic capture: `istio-init` runs `istio-iptables` as root with
 * NET_ADMIN and NET_RAW; with the Istio CNI plugin it becomes `istio-validation`, which only checks
 * the redirection the plugin installed and runs as the proxy user without added capabilities.
 * Uses the proxy's resources, as the template does.
 */
export function renderInitContainer(annotations: Readonly<Record<string, string>>, settings: SidecarSettings): Container {
  const cni = settings.cni;
  return {
    name: cni ? 'istio-validation' : 'istio-init',
    image: settings.proxyImage,
    args: istioIptablesArgs(annotations, { cni }),
    resources: settings.proxyResources,
    securityContext: cni
      ? {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsGroup: PROXY_UID,
        runAsNonRoot: true,
        runAsUser: PROXY_UID,
      }
      : {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: false,
        runAsGroup: 0,
        runAsNonRoot: false,
        runAsUser: 0,
      },
  };
}
