import { dump } from 'js-yaml';
import { plainYaml } from './plain-yaml';

/**
 * Serializes manifests as a multi-document YAML stream, like cdk8s's `Yaml.stringify` (documents
 * separated by `---`, no line folding, keys in their given order) but with js-yaml's emitter,
 * several times faster than the `yaml` package's document model on large meshes. Strings that a
 * YAML 1.1 reader (kubectl, go-yaml) would take for another type — "8080", "true", "on" — are
 * quoted. Documents of plain data are written by ./plain-yaml (the same text, several times faster).
 */
export function toYamlStream(docs: readonly unknown[]): string {
  // One array of parts per document: one for a whole S=8,000 file (hundreds of thousands of
  // parts, an old-space array of young strings) cost more in GC than the second join saves.
  return docs.map((doc) => plainYaml(doc) ?? dumpYaml(doc)).join('---\n');
}

/** js-yaml's general emitter with trustmesh's options. */
export function dumpYaml(doc: unknown): string {
  return dump(doc, { lineWidth: -1, noRefs: true, noCompatMode: false });
}
