import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { PodTemplate } from '../../../src/model/pod-types';
import { WorkloadRef } from '../../../src/render/sidecar/proxy-container';
import { DEFAULT_PROXY_RESOURCES, SidecarSettings } from '../../../src/render/sidecar/sidecar-settings';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'sidecar');

/** A YAML fixture of test/fixtures/sidecar. */
export function fixture<T = Record<string, any>>(name: string): T {
  return parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as T;
}

/** The `hello` golden input: its pod template and owner. */
export function helloPod(): { pod: PodTemplate; workload: WorkloadRef } {
  const deployment = fixture('hello.yaml');
  return {
    pod: deployment.spec.template,
    workload: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, namespace: deployment.metadata.namespace },
  };
}

/** The Helm values and MeshConfig the golden files are rendered with. */
export function goldenSettings(overrides: Partial<SidecarSettings> = {}): SidecarSettings {
  return {
    proxyImage: 'registry.istio.io/testing/proxyv2:latest',
    nativeSidecar: true,
    cni: false,
    holdApplicationUntilProxyStarts: false,
    proxyResources: DEFAULT_PROXY_RESOURCES,
    trustDomain: 'cluster.local',
    clusterDomain: 'cluster.local',
    istiodNamespace: 'istio-system',
    clusterId: 'Kubernetes',
    revision: 'default',
    ...overrides,
  };
}
