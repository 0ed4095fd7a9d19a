/**
 * Structural equality of loaded values, as their JSON would say: the diff's test of whether a
 * destination's inputs are the same in two versions.
 *
 * @module
 */

/** Whether a value's prototype makes it plain data (an object literal, an array, a null-prototype record). */
function plain(v: object): boolean {
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === Array.prototype || p === null;
}

/**
 * Whether two loaded values have the same content, as their JSON would say (keys in the same order).
 * Only "same" must be exact (it lets the diff skip a destination): values it does not know as plain
 * data are compared by their JSON, and anything else unusual counts as different.
 *
 * diffspace: an object's keys are walked with `for…in` beside the other's key list (one key array
 * per pair of objects, not two); a key `for…in` finds beyond the own keys (an enumerable property
 * added to a prototype) makes the objects different.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!plain(a) || !plain(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
    return true;
  }
  const kb = Object.keys(b);
  let i = 0;
  for (const k in a) {
    if (k !== kb[i] || !sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    i++;
  }
  return i === kb.length;
}

/**
 * diff14: whether two loaded objects are the same document (see `LoadedObject.documentText`): the
 * same text gives bodies of the same content, and the metadata follows from the body and the
 * namespace (which a load's default namespace may set). Comparing the texts is a fraction of
 * walking the bodies; false says nothing (objects of different text may have the same content).
 */
export function sameDocument(a: { readonly documentText?: string; readonly metadata: unknown },
  b: { readonly documentText?: string; readonly metadata: unknown }): boolean {
  return a.documentText !== undefined && a.documentText === b.documentText
    && (a.metadata as { namespace?: unknown }).namespace === (b.metadata as { namespace?: unknown }).namespace;
}

/** The parts of a loaded object its content is: kind, apiVersion, metadata, body (and its document's text). */
export interface ContentOf {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: unknown;
  readonly body: unknown;
  readonly documentText?: string;
}

/**
 * Whether two loaded objects have the same content (where they were read from aside): the same
 * kind and apiVersion, and the same document ({@link sameDocument}) or the same metadata and body.
 */
export function sameLoadedObject(a: ContentOf, b: ContentOf): boolean {
  return a === b || (a.apiVersion === b.apiVersion && a.kind === b.kind
    && (sameDocument(a, b) || (sameContent(a.metadata, b.metadata) && sameContent(a.body, b.body))));
}
