/**
 * Checks on a whole input before any analysis runs on it: that it holds something, and that it
 * holds each object once. An empty directory would otherwise allow every request, and two versions
 * of one policy (`analyze dist old-dist`) would be merged into an access nobody wrote.
 *
 * @module
 */
import { LoadedObject } from './istio-config';
import { TrustmeshAggregateError, TrustmeshError } from '../../errors';

/**
 * Throws when none of the given paths held a Kubernetes object.
 *
 * @param paths the paths as the user gave them
 * @param files how many manifest files were read, when known
 * @throws TrustmeshError `TM_NO_OBJECTS`
 */
export function assertObjectsFound(objects: readonly LoadedObject[], paths: readonly string[], files?: number): void {
  if (objects.length > 0 || paths.length === 0) return;
  const what = files === undefined ? 'no Kubernetes object' : files === 0 ? 'no YAML or JSON manifest file'
    : `${files} manifest file${files === 1 ? '' : 's'} but no Kubernetes object`;
  throw new TrustmeshError('TM_NO_OBJECTS', `found ${what} in ${paths.map((p) => `"${p}"`).join(', ')}`, {
    location: { file: paths[0] },
    allowed: 'files and directories holding Kubernetes objects (*.yaml, *.yml, *.json, read recursively)',
    fix: 'Check the paths (synthesize first?); when empty input is expected, pass --allow-empty (allowEmpty: true in the API).',
    callerLocation: false,
  });
}

/**
 * Throws when one object (API group, kind, namespace and name) is defined more than once, naming
 * every place it is defined. Objects without a name are skipped (the loader warns about them).
 *
 * @throws TrustmeshAggregateError `TM_DUPLICATE_OBJECT` with one error per duplicated object
 */
export function assertUniqueObjects(objects: readonly LoadedObject[]): void {
  // The first definition of each object, and every definition of those defined more than once: a
  // large input holds each object once, so no list per object.
  const first = new Map<string, LoadedObject>();
  const repeated = new Map<string, LoadedObject[]>();
  for (const o of objects) {
    if (o.metadata.name === '') continue;
    const key = `${groupOf(o.apiVersion)}\0${o.kind}\0${o.metadata.namespace}\0${o.metadata.name}`;
    const seen = first.get(key);
    if (seen === undefined) {
      first.set(key, o);
      continue;
    }
    const list = repeated.get(key);
    if (list) list.push(o);
    else repeated.set(key, [seen, o]);
  }
  first.clear();
  if (repeated.size === 0) return;
  // In the order of each object's first definition.
  const position = new Map<LoadedObject, number>();
  objects.forEach((o, i) => position.set(o, i));
  const lists = [...repeated.values()].sort((a, b) => position.get(a[0])! - position.get(b[0])!);
  const errors: TrustmeshError[] = [];
  for (const list of lists) {
    const [one, second] = list;
    const name = one.metadata.namespace === '' ? one.metadata.name : `${one.metadata.namespace}/${one.metadata.name}`;
    const others = list.filter((o) => o !== second).map((o) => `${o.source.file}:${o.source.line}:${o.source.column}`);
    errors.push(new TrustmeshError('TM_DUPLICATE_OBJECT', `${one.kind} ${name} is defined ${list.length} times, also at ${others.join(', ')}`, {
      location: second.source,
      fix: 'Keep one definition. Two folders of output (two versions, or two clusters\' meshes) are read one at a time, or compared with `trustmesh diff OLD NEW`.',
    }));
  }
  const shown = errors.slice(0, MAX_LISTED);
  throw new TrustmeshAggregateError('TM_DUPLICATE_OBJECT',
    `${errors.length} object${errors.length === 1 ? ' is' : 's are'} defined more than once in the input${shown.length < errors.length ? ` (the first ${shown.length} listed)` : ''}`,
    shown);
}

// Two copies of a large output would otherwise print every object.
const MAX_LISTED = 20;

// Kubernetes serves one object under every version of its group: v1 and v1beta1 name the same one.
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
