import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { registerDiagnostics } from './diagnostics';
import type { Mesh } from './mesh';
import type { MeshService } from './mesh-service';
import { toL1Container, toL1Volume } from './private/kube-l1';
import { checkWorkloadOptions, DEFAULT_APP_RESOURCES, mergeWorkloadOptions, ReferenceWorkloadOptions } from './reference-workload-options';
import { SecretChart } from './secret-chart';
import { SidecarInjection } from './sidecar-injection';
import { StandaloneIdentity } from './standalone-identity';
import { meshWorkloadDiagnostics, workloadDiagnostics } from './workload-diagnostics';
import { compareIstioVersions, formatIstioVersion, isLegacyTarget } from '../model/istio-version';
import { assertDnsLabel } from '../model/names';
import { Container, Probe, ResourceRequirements } from '../model/pod-types';
import { appProtocol } from '../model/service-port';
import { located } from '../private/located';
import { sortKeys } from '../private/sort-keys';
import { IstioPodKeys } from '../render/sidecar/annotations';
import { Injection, renderInjection } from '../render/sidecar/inject';
import { DEFAULT_PROXY_RESOURCES, defaultProxyImage, SidecarSettings } from '../render/sidecar/sidecar-settings';
import { trafficAnnotations } from '../render/sidecar/traffic';
import { FILE_MOUNTED_CREDENTIALS } from '../render/sidecar/volumes';
import { formatPrincipal } from '../semantics/principal';

export type { HttpProbeOptions, ReferenceWorkloadOptions, WorkloadProbes } from './reference-workload-options';

/** Which sidecar a reference workload's pods run with. */
export type WorkloadSidecarMode = 'auto' | 'manual' | 'none';

/** The oldest Istio release whose kube-inject output {@link SidecarInjection.manual} reproduces (the reference's shape). */
const MANUAL_INJECTION_SINCE = { major: 1, minor: 30 };

/**
 * A service's reference workload: what makes its identity and policy real in a cluster.
 *
 * - **ServiceAccount** named for the service's `serviceAccount`: the identity its policies name
 *   (created once per namespace and name; never the namespace's `default`).
 * - **Service** named for the service, selecting exactly the service's labels, with ports named
 *   `<protocol>-…` and `appProtocol` set so Istio applies the right protocol (only when the service
 *   has ports).
 * - **Deployment** named for the service, built with cdk8s-plus-28: selector and pod labels are
 *   exactly the service's labels (what every policy selects) plus only what Istio needs; non-root,
 *   read-only root file system, no privilege escalation, all capabilities dropped, resource
 *   requests; and the sidecar, injected automatically (label) or manually (the kube-inject pod).
 *
 * Created by {@link MeshService} when the mesh's `referenceWorkloads` or the service's `workload`
 * asks for one; the objects land in the namespace's file next to the service's policies.
 */
export class ReferenceWorkload extends Construct {
  /**
   * @internal Creates the reference workload of a service when the mesh or the service opts in.
   */
  public static _forService(service: MeshService, meshDefaults: ReferenceWorkloadOptions | undefined,
    own: ReferenceWorkloadOptions | undefined): ReferenceWorkload | undefined {
    const options = located(service, () => mergeWorkloadOptions(service, meshDefaults, own));
    return options ? new ReferenceWorkload(service, 'Workload', options) : undefined;
  }

  /** Every reference workload of a mesh, in declaration order. */
  public static of(mesh: Mesh): ReferenceWorkload[] {
    return [...mesh._workloads];
  }

  /** The service this workload runs. */
  public readonly service: MeshService;
  /** Name of the Deployment and the Service: the service name. */
  public readonly name: string;
  /** The pod's service account: the identity policies name. */
  public readonly serviceAccountName: string;
  /** How the sidecar gets into the pods. */
  public readonly sidecar: WorkloadSidecarMode;
  /** The Deployment (cdk8s-plus). */
  public readonly deployment: kplus.Deployment;
  /** The Service, when the service declares ports. */
  public readonly kubeService?: kplus.Service;
  /** The ServiceAccount (shared by services that share an identity). */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** Name of the SVID Secret, for a standalone identity. */
  public readonly svidSecretName?: string;
  /** UID the application runs as, when set. */
  public readonly runAsUser?: number;
  /** @internal what manual injection added (for tests and the docs). */
  public readonly _injection?: Injection;
  private readonly _podLabels: Record<string, string>;

  private constructor(service: MeshService, id: string, options: ReferenceWorkloadOptions) {
    super(service, id);
    const mesh = service.mesh;
    const checked = located(this, () => checkWorkloadOptions(service, options));
    this.service = service;
    this.name = service.name;
    this.serviceAccountName = service.serviceAccount;
    this.runAsUser = options.runAsUser;
    const injection = options.injection ?? SidecarInjection.auto();
    this.sidecar = service.inMesh ? injection.mode : 'none';
    const namespace = service.namespace;
    const labels = service.labels;

    this.serviceAccount = this.ensureServiceAccount();

    // What the pod carries before injection: the service's labels, and the annotations users set
    // for the webhook (or that manual injection reads, exactly like kube-inject reads them).
    const podLabels: Record<string, string> = { ...labels };
    const podAnnotations: Record<string, string> = {};
    // Istio 1.0–1.4's injection webhook reads sidecar.istio.io/inject as a pod annotation only.
    const injectKeys = isLegacyTarget(mesh.istioVersion) ? podAnnotations : podLabels;
    if (this.sidecar === 'none') {
      // Explicit opt-out, so a namespace labelled istio-injection=enabled does not inject it anyway.
      injectKeys[IstioPodKeys.INJECT] = 'false';
    } else {
      Object.assign(podAnnotations, trafficAnnotations(injection._traffic()));
      if (injection._options.holdApplicationUntilProxyStarts) {
        podAnnotations[IstioPodKeys.PROXY_CONFIG] = JSON.stringify({ holdApplicationUntilProxyStarts: true });
      }
      if (this.sidecar === 'auto') {
        injectKeys[IstioPodKeys.INJECT] = 'true';
        if (injection._options.nativeSidecar !== undefined) podAnnotations[IstioPodKeys.NATIVE_SIDECAR] = String(injection._options.nativeSidecar);
      }
    }

    let secretName: string | undefined;
    if (options.identity) {
      secretName = options.identity.secretName ?? `${service.serviceAccount}-svid`;
      this.svidSecretName = secretName;
      this.createSvidSecret(options.identity, secretName);
    }

    const appPlain: Container = { name: service.name, ports: checked.containerPorts, ...checked.probes };
    let app = appPlain;
    if (this.sidecar === 'manual') {
      const settings = this.manualSettings(injection, secretName);
      this._injection = renderInjection({
        workload: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, namespace },
        labels: podLabels,
        annotations: podAnnotations,
        appContainers: [appPlain],
      }, settings);
      app = this._injection.appContainers[0];
      Object.assign(podLabels, { ...this._injection.labels, ...podLabels });
      Object.assign(podAnnotations, { ...this._injection.annotations, ...podAnnotations });
    }
    this._podLabels = sortKeys(podLabels);

    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp');
    const mounts: kplus.VolumeMount[] = [{ path: '/tmp', volume: tmp }];
    if (secretName && options.identity) {
      const svid = kplus.Volume.fromSecret(this, 'SvidVolume', kplus.Secret.fromSecretName(this, 'SvidSecret', secretName), {
        name: 'workload-svid',
        items: Object.fromEntries(FILE_MOUNTED_CREDENTIALS.map((i) => [i.key, { path: i.path }])),
      });
      mounts.push({ path: options.identity.mountPath, volume: svid, readOnly: true });
    }

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: this.name, namespace, labels },
      replicas: checked.replicas,
      // cdk8s-plus would select its own `cdk8s.io/metadata.addr` label (a hash of the construct
      // path); policies select the service's labels, so the Deployment selects exactly those.
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      podMetadata: { labels: this._podLabels, annotations: sortKeys(podAnnotations) },
      containers: [{
        name: service.name,
        image: checked.image,
        ...(options.command ? { command: [...options.command] } : {}),
        ...(options.args ? { args: [...options.args] } : {}),
        ports: checked.containerPorts.map((p) => ({ number: p.containerPort, ...(p.name ? { name: p.name } : {}) })),
        envVariables: Object.fromEntries(checked.env.map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        resources: options.resources ?? DEFAULT_APP_RESOURCES,
        ...(app.readinessProbe ? { readiness: toKplusProbe(app.readinessProbe) } : {}),
        ...(app.livenessProbe ? { liveness: toKplusProbe(app.livenessProbe) } : {}),
        ...(app.startupProbe ? { startup: toKplusProbe(app.startupProbe) } : {}),
        securityContext: {
          ensureNonRoot: true,
          readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          ...(options.runAsUser !== undefined ? { user: options.runAsUser } : {}),
          ...(options.runAsGroup !== undefined ? { group: options.runAsGroup } : {}),
        },
        volumeMounts: mounts,
      }],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels }));
    const deploymentObject = ApiObject.of(this.deployment);
    // cdk8s-plus always adds its address label to the pod template (a construct-path hash). Pods
    // carry exactly the service's labels plus Istio's, so review output has no hashes.
    deploymentObject.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    if (this._injection) this.applyInjection(deploymentObject, this._injection);

    const ports = service.ports;
    if (ports.length > 0) {
      this.kubeService = new kplus.Service(this, 'Service', {
        metadata: { name: this.name, namespace, labels },
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
      });
      for (const [key, value] of Object.entries(labels).sort()) this.kubeService.selectLabel(key, value);
      // cdk8s-plus has no `appProtocol`; Istio reads it before the port name (Kubernetes 1.18+).
      ApiObject.of(this.kubeService).addJsonPatch(
        ...ports.map((p, i) => JsonPatch.add(`/spec/ports/${i}/appProtocol`, appProtocol(p.protocol))));
    }

    registerDiagnostics(this, () => workloadDiagnostics(this));
    const workloads = mesh._workloads;
    if (workloads.length === 0) mesh._addDiagnostics(() => meshWorkloadDiagnostics(mesh, workloads));
    workloads.push(this);
  }

  /** Labels of the pods (the service's labels plus the injection label or Istio's labels), sorted. */
  public get podLabels(): Record<string, string> {
    return { ...this._podLabels };
  }

  /** Labels the Deployment and the Service select: exactly the service's labels. */
  public get selector(): Record<string, string> {
    return this.service.labels;
  }

  private ensureServiceAccount(): kplus.IServiceAccount {
    const name = this.service.serviceAccount;
    if (name === 'default') {
      // Every namespace has it already; emitting it would take over a controller-managed object.
      return kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', name);
    }
    const byName = this.service.mesh.namespace(this.service.namespace)._serviceAccounts;
    const existing = byName.get(name);
    if (existing) return existing;
    const created = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace: this.service.namespace },
      automountToken: false,
    });
    byName.set(name, created);
    return created;
  }

  private createSvidSecret(identity: StandaloneIdentity, secretName: string): void {
    const service = this.service;
    const expected = `spiffe://${formatPrincipal(service.mesh.trustDomain, service.namespace, service.serviceAccount)}`;
    if (identity.spiffeId !== expected) {
      throw new TrustmeshError('TM_SVID_IDENTITY_MISMATCH', `the SVID names ${identity.spiffeId}, not the identity of ${service.namespace}/${service.name}`, {
        location: { constructPath: this.node.path },
        value: identity.spiffeId,
        allowed: expected,
        fix: `issue the certificate for namespace "${service.namespace}" and service account "${service.serviceAccount}"`,
      });
    }
    const mesh = service.mesh;
    const chartId = `${service.namespace}.svids`;
    const chart = (mesh.node.tryFindChild(chartId) as SecretChart | undefined)
      ?? new SecretChart(mesh, chartId, { namespace: service.namespace, disableResourceNameHashes: true });
    if (chart.node.tryFindChild(secretName)) {
      throw new TrustmeshError('TM_DUPLICATE_OBJECT', `Secret "${secretName}" in namespace ${service.namespace} would hold two SVIDs`, {
        location: { constructPath: this.node.path },
        fix: 'give one StandaloneIdentity its own secretName (services that share a service account share an identity anyway)',
      });
    }
    const secret = new kplus.TlsSecret(chart, secretName, {
      metadata: { name: secretName, namespace: service.namespace, labels: service.labels },
      tlsCert: identity._certificateChain,
      tlsKey: identity._privateKey,
    });
    secret.addStringData('ca.crt', identity._trustBundle);
  }

  private manualSettings(injection: SidecarInjection, workloadCertsSecret: string | undefined): SidecarSettings {
    const mesh = this.service.mesh;
    if (compareIstioVersions(mesh.istioVersion, MANUAL_INJECTION_SINCE) < 0) {
      throw new TrustmeshError('TM_VERSION_UNSUPPORTED_FEATURE',
        `manual sidecar injection reproduces the kube-inject output of Istio ${formatIstioVersion(MANUAL_INJECTION_SINCE)} and later, but the mesh targets Istio ${mesh.istioVersionText}`, {
          location: { constructPath: this.node.path },
          value: mesh.istioVersionText,
          allowed: `istioVersion >= ${formatIstioVersion(MANUAL_INJECTION_SINCE)}`,
          fix: 'use SidecarInjection.auto() (the webhook injects the pod for the installed release), or raise the istioVersion',
        });
    }
    const o = injection._options;
    if (o.istiodNamespace !== undefined) located(this, () => assertDnsLabel(o.istiodNamespace ?? '', 'istiod namespace'));
    return {
      proxyImage: o.proxyImage ?? defaultProxyImage(mesh.istioVersion),
      nativeSidecar: o.nativeSidecar ?? true,
      cni: o.cni ?? false,
      // The pod's proxy.istio.io/config carries the option; nothing is assumed about MeshConfig.
      holdApplicationUntilProxyStarts: false,
      proxyResources: o.proxyResources ? copyResources(o.proxyResources) : DEFAULT_PROXY_RESOURCES,
      trustDomain: mesh.trustDomain,
      clusterDomain: mesh.clusterDomain,
      istiodNamespace: o.istiodNamespace ?? mesh.rootNamespace,
      clusterId: o.clusterId ?? 'Kubernetes',
      revision: o.revision ?? 'default',
      ...(workloadCertsSecret ? { workloadCertsSecret } : {}),
    };
  }

  /**
   * Adds the injected containers and volumes as JSON patches, the way the injection webhook patches
   * the pod: cdk8s-plus cannot express projected and downward-API volumes or source-less emptyDirs,
   * and would rewrite the injected containers with its own defaults (image pull policy, memory in
   * Mi, probe schemes) where kube-inject's output is the contract.
   */
  private applyInjection(deployment: ApiObject, injection: Injection): void {
    const spec = '/spec/template/spec';
    deployment.addJsonPatch(JsonPatch.add(`${spec}/initContainers`, injection.initContainers.map(toL1Container)));
    if (injection.proxy) {
      const at = injection.proxy.position === 'first' ? '0' : '-';
      deployment.addJsonPatch(JsonPatch.add(`${spec}/containers/${at}`, toL1Container(injection.proxy.container)));
    }
    // The pod always has the /tmp volume, so the list exists to append to.
    deployment.addJsonPatch(...injection.volumes.map((v) => JsonPatch.add(`${spec}/volumes/-`, toL1Volume(v))));
  }
}

function toKplusProbe(p: Probe): kplus.Probe {
  const httpGet = p.httpGet;
  if (!httpGet) throw new TrustmeshUsageError('only HTTP probes are supported');
  return kplus.Probe.fromHttpGet(httpGet.path ?? '/', {
    port: Number(httpGet.port),
    scheme: httpGet.scheme === 'HTTPS' ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP,
    ...(p.initialDelaySeconds !== undefined ? { initialDelaySeconds: Duration.seconds(p.initialDelaySeconds) } : {}),
    ...(p.periodSeconds !== undefined ? { periodSeconds: Duration.seconds(p.periodSeconds) } : {}),
    ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: Duration.seconds(p.timeoutSeconds) } : {}),
    ...(p.failureThreshold !== undefined ? { failureThreshold: p.failureThreshold } : {}),
  });
}

function copyResources(r: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> }): ResourceRequirements {
  return { ...(r.limits ? { limits: { ...r.limits } } : {}), ...(r.requests ? { requests: { ...r.requests } } : {}) };
}
