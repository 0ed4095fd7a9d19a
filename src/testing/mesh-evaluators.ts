import { parseConfigText } from '../analysis/config/load-config';
import { meshConfig } from '../analysis/config/mesh-config';
import { createEvaluator, Evaluator } from '../analysis/evaluator/evaluate';
import type { Mesh } from '../constructs/mesh';
import { SynthOutput, TrustmeshApp } from '../constructs/trustmesh-app';
import { toYamlStream } from '../private/yaml-emitter';

/**
 * Offline evaluators over an app's synthesized meshes: one synth, on first use, and per mesh the
 * YAML stream that is written to disk (secrets left out), parsed back. Owned by one
 * `access(app)` check, so a new check sees the app as it is then.
 * @internal
 */
export class MeshEvaluators {
  private output?: SynthOutput;
  private readonly evaluators = new Map<string, Evaluator>();

  public constructor(private readonly app: TrustmeshApp) {}

  /**
   * The evaluator of a mesh of the app, with MeshConfig's `numTrustedProxies` (the gateway's
   * topology; 0, Istio's default, for requests between workloads).
   */
  public of(mesh: Mesh, numTrustedProxies = 0): Evaluator {
    const key = `${mesh.node.path}\0${numTrustedProxies}`;
    let evaluator = this.evaluators.get(key);
    if (!evaluator) {
      if (mesh.node.root !== this.app) throw new TypeError(`access(): mesh ${mesh.meshName} is not part of the app under test`);
      this.output ??= this.app.synthOutput();
      const prefix = `${mesh.node.path}/`;
      const yaml = toYamlStream(this.output.manifests.filter((r) => !r.secret && r.file.startsWith(prefix)).map((r) => r.manifest));
      evaluator = createEvaluator(parseConfigText(yaml, `${mesh.meshName}.yaml`), meshConfig({
        rootNamespace: mesh.rootNamespace,
        trustDomain: mesh.trustDomain,
        trustDomainAliases: mesh.trustDomainAliases,
        pathNormalization: mesh.pathNormalization,
        numTrustedProxies,
      }));
      this.evaluators.set(key, evaluator);
    }
    return evaluator;
  }
}
