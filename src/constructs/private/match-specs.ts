import { MatchSpec } from '../../model/intention';
import { IstioVersion } from '../../model/istio-version';
import { ServiceSpec } from '../../model/mesh-spec';
import { AccessMatchOptions, assertMatchFitsService, toMatchSpec } from '../access-options';

/**
 * The match specs of one mesh's intentions, one object per distinct match. A mesh holds one
 * intention per verb call (80,000 at the largest benchmark size) but only a few hundred distinct
 * matches: each is checked and copied once, and every intention with equal options shares it
 * (synth11: the copies were 11 of the 116 MB of a declared S=8,000 mesh). Match specs are
 * immutable model data, so sharing them changes nothing downstream.
 * @internal
 */
export class MatchSpecs {
  private readonly known = new Map<string, MatchSpec>();

  public constructor(private readonly version: IstioVersion) {}

  /**
   * {@link toMatchSpec} of `options` for the destination: the same value and the same errors, made
   * once for equal options. The checks that depend on the destination run for every call.
   */
  public of(options: AccessMatchOptions, service: ServiceSpec, hasEndUser: boolean): MatchSpec {
    const key = matchKey(options);
    if (key === undefined) return toMatchSpec(options, service, this.version, hasEndUser);
    const known = this.known.get(key);
    if (known !== undefined) {
      assertMatchFitsService(known, service, hasEndUser);
      return known;
    }
    const match = toMatchSpec(options, service, this.version, hasEndUser);
    this.known.set(key, match);
    return match;
  }
}

/**
 * A key that equal options, and only equal options, share; `undefined` for options outside the
 * common shapes (header conditions, lists that are empty or hold other values than port numbers
 * and strings), which are made afresh and raise their errors there. Every list is checked to hold
 * only integers or strings, so its JSON text is unambiguous.
 */
export function matchKey(options: AccessMatchOptions): string | undefined {
  const { ports, notPorts, methods, notMethods, paths, notPaths, hosts, notHosts } = options;
  if (options.headers !== undefined || options.notHeaders !== undefined) return undefined;
  if (!isKeyList(ports, isInteger) || !isKeyList(notPorts, isInteger)) return undefined;
  for (const values of [methods, notMethods, paths, notPaths, hosts, notHosts]) {
    if (!isKeyList(values, isString)) return undefined;
  }
  // An absent list is 0, which no list's JSON text is.
  return JSON.stringify([ports ?? 0, notPorts ?? 0, methods ?? 0, notMethods ?? 0, paths ?? 0, notPaths ?? 0, hosts ?? 0, notHosts ?? 0]);
}

function isKeyList(values: readonly unknown[] | undefined, isElement: (v: unknown) => boolean): boolean {
  if (values === undefined) return true;
  if (!Array.isArray(values) || values.length === 0) return false;
  for (const v of values) if (!isElement(v)) return false;
  return true;
}

function isInteger(v: unknown): boolean {
  return Number.isInteger(v);
}

function isString(v: unknown): boolean {
  return typeof v === 'string';
}
