/**
 * What `trustmesh convert` produces: the converted objects, the refusals (what v1beta1/v1 cannot
 * express, with the legacy object's `file:line`), the changes of meaning it made on purpose, and
 * which input object became which output objects.
 *
 * @module
 */
import { Diagnostic } from '../../errors';
import { LoadedObject } from '../config/istio-config';

/** A converted Istio object (plain data, ready to emit as YAML). */
export interface ConvertedObject {
  readonly apiVersion: string;
  readonly kind: 'PeerAuthentication' | 'RequestAuthentication' | 'AuthorizationPolicy';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: Readonly<Record<string, unknown>>;
}

/** `<Kind> <namespace>/<name>` of an object. */
export function refOf(o: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** One input object and what became of it. */
export interface ConversionEntry {
  readonly input: string;
  /** `file:line` of the input object. */
  readonly at: string;
  readonly outputs: readonly string[];
  /** Changes of meaning made on purpose, in words. */
  readonly notes: readonly string[];
}

/** The result of converting a config's legacy objects. */
export interface Conversion {
  readonly objects: readonly ConvertedObject[];
  readonly entries: readonly ConversionEntry[];
  /** Refusals and unresolvable services (errors), with the legacy object's location. */
  readonly refusals: readonly Diagnostic[];
  /**
   * Non-legacy input objects the conversion replaces (Istio 1.4 AuthorizationPolicies, converted
   * to the target apiVersion): the converted config leaves them out.
   * @default - none
   */
  readonly replaced?: readonly LoadedObject[];
}

/** Collects outputs, entries and refusals while converting. */
export class ConversionBuilder {
  public readonly objects = new Map<string, ConvertedObject>();
  public readonly refusals: Diagnostic[] = [];
  private readonly entries = new Map<LoadedObject, { outputs: Set<string>; notes: Set<string> }>();

  public constructor(public readonly apiVersion: string) {}

  public entry(obj: LoadedObject): { outputs: Set<string>; notes: Set<string> } {
    let e = this.entries.get(obj);
    if (!e) {
      e = { outputs: new Set(), notes: new Set() };
      this.entries.set(obj, e);
    }
    return e;
  }

  public add(from: LoadedObject, obj: ConvertedObject): ConvertedObject {
    const key = refOf(obj);
    const existing = this.objects.get(key);
    this.entry(from).outputs.add(key);
    if (existing) return existing;
    this.objects.set(key, obj);
    return obj;
  }

  public note(from: LoadedObject, note: string): void {
    this.entry(from).notes.add(note);
  }

  public refuse(code: 'TM_CONVERT_UNSUPPORTED' | 'TM_CONVERT_SERVICE_NOT_FOUND', from: LoadedObject, path: readonly (string | number)[],
    message: string, fix: string): void {
    this.refusals.push({ code, severity: 'error', message: `${refOf(from)}: ${message}`, location: from.locate(path), fix });
    this.entry(from);
  }

  public build(): Conversion {
    const objects = [...this.objects.values()].sort((a, b) => cmp(`${a.metadata.namespace}/${a.kind}/${a.metadata.name}`, `${b.metadata.namespace}/${b.kind}/${b.metadata.name}`));
    const entries = [...this.entries.entries()].map(([obj, e]): ConversionEntry => ({
      input: refOf(obj),
      at: `${obj.source.file}:${obj.source.line}`,
      outputs: [...e.outputs].sort(cmp),
      notes: [...e.notes].sort(cmp),
    })).sort((a, b) => cmp(a.input, b.input));
    return { objects, entries, refusals: this.refusals };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
