import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESH_CONFIG, loadMeshConfig, parseMeshConfig } from '../../../src/analysis/config/mesh-config';
import { catchTrustmesh } from '../../helpers';

// Page: https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/

describe('MeshConfig', () => {
  it('defaults to istio-system, cluster.local, BASE normalization and 0 trusted proxies', () => {
    expect(parseMeshConfig('')).toMatchObject({
      rootNamespace: 'istio-system', trustDomain: 'cluster.local', trustDomainAliases: [], pathNormalization: 'BASE', numTrustedProxies: 0,
    });
    expect(DEFAULT_MESH_CONFIG.rootNamespace).toBe('istio-system');
  });

  it('reads the fields that change decisions from a MeshConfig file (istioctl analyze --meshConfigFile)', () => {
    const mesh = parseMeshConfig([
      'rootNamespace: mesh-root',
      'trustDomain: corp.example',
      'trustDomainAliases: [old.example]',
      'pathNormalization:',
      '  normalization: MERGE_SLASHES',
      'defaultConfig:',
      '  gatewayTopology:',
      '    numTrustedProxies: 2',
      'extensionProviders:',
      '- name: opa',
      '  envoyExtAuthzGrpc: {service: opa.opa.svc.cluster.local, port: 9191}',
    ].join('\n'));
    expect(mesh).toMatchObject({
      rootNamespace: 'mesh-root',
      trustDomain: 'corp.example',
      trustDomainAliases: ['old.example'],
      pathNormalization: 'MERGE_SLASHES',
      numTrustedProxies: 2,
      extensionProviders: ['opa'],
    });
  });

  it('treats normalization DEFAULT as BASE', () => {
    expect(parseMeshConfig('pathNormalization: {normalization: DEFAULT}').pathNormalization).toBe('BASE');
  });

  it('reads the mesh out of the istio ConfigMap and out of an IstioOperator', () => {
    expect(parseMeshConfig('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata:\n  mesh: |-\n    rootNamespace: cm-root\n').rootNamespace).toBe('cm-root');
    expect(parseMeshConfig('apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    trustDomain: iop.td\n').trustDomain).toBe('iop.td');
  });

  it('rejects an unknown path normalization with the allowed values', () => {
    const e = catchTrustmesh(() => parseMeshConfig('pathNormalization: {normalization: MERGE}', 'mesh.yaml'));
    expect(e.code).toBe('TM_MESH_CONFIG_INVALID');
    expect(e.message).toMatch(/DECODE_AND_MERGE_SLASHES/);
    expect(e.location).toMatchObject({ file: 'mesh.yaml', field: 'pathNormalization.normalization' });
  });

  it('rejects a negative numTrustedProxies', () => {
    expect(catchTrustmesh(() => parseMeshConfig('defaultConfig: {gatewayTopology: {numTrustedProxies: -1}}')).code).toBe('TM_MESH_CONFIG_INVALID');
  });

  it('loads a file and reports a missing one with TM_FILE_NOT_FOUND', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-mesh-'));
    try {
      fs.writeFileSync(path.join(dir, 'mesh.yaml'), 'trustDomain: file.td\n');
      expect(loadMeshConfig(path.join(dir, 'mesh.yaml'))).toMatchObject({ trustDomain: 'file.td', file: path.join(dir, 'mesh.yaml') });
      expect(catchTrustmesh(() => loadMeshConfig(path.join(dir, 'missing.yaml'))).code).toBe('TM_FILE_NOT_FOUND');
      fs.writeFileSync(path.join(dir, 'bad.yaml'), 'a: [\n');
      expect(catchTrustmesh(() => loadMeshConfig(path.join(dir, 'bad.yaml'))).code).toBe('TM_YAML_PARSE');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
