/**
 * `tsx projenrc/legacy-crds.ts <crd-all-1.5.x.yaml> <out.yaml>`: keeps, of Istio 1.5's CRD file, the
 * kinds the legacy (Istio 1.0–1.4) target emits — `authentication.istio.io/v1alpha1` Policy and
 * MeshPolicy, `rbac.istio.io/v1alpha1` (Cluster)RbacConfig, ServiceRole, ServiceRoleBinding, and the
 * `networking.istio.io` kinds at `v1alpha3` only (their v1beta1 version is imported from the current
 * release) — for `cdk8s import` and the schema extraction of the `import` task.
 */
import * as fs from 'fs';
import { parseAllDocuments, stringify } from 'yaml';

const LEGACY_GROUPS = new Set(['authentication.istio.io', 'rbac.istio.io']);
const LEGACY_NETWORKING = new Set(['DestinationRule', 'Gateway', 'VirtualService', 'ServiceEntry', 'Sidecar']);

interface CrdJson {
  spec: { group: string; names: { kind: string }; versions?: { name: string }[]; version?: string };
}

function main(argv: readonly string[]): number {
  const [input, output] = argv;
  if (!input || !output) {
    process.stderr.write('usage: tsx projenrc/legacy-crds.ts <crd-all.yaml> <out.yaml>\n');
    return 2;
  }
  const kept: string[] = [];
  for (const doc of parseAllDocuments(fs.readFileSync(input, 'utf8'))) {
    const crd = doc.toJS() as CrdJson | null;
    if (!crd?.spec) continue;
    const { group, names } = crd.spec;
    if (group === 'networking.istio.io' && LEGACY_NETWORKING.has(names.kind)) {
      crd.spec.versions = (crd.spec.versions ?? []).filter((v) => v.name === 'v1alpha3');
      crd.spec.version = 'v1alpha3';
    } else if (!LEGACY_GROUPS.has(group)) {
      continue;
    }
    kept.push(stringify(crd));
  }
  fs.writeFileSync(output, kept.join('---\n'));
  process.stdout.write(`${output}: ${kept.length} legacy CRDs from ${input}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
