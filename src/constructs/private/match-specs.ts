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
 * common shapes, which are made afresh and raise their errors there. The common shape is a plain
 * object (an object literal) without header conditions whose lists are non-empty and hold
 * integers (ports) or strings without a NUL. The key names each list given, its length and its
 * values, so no two different options share one.
 */
export function matchKey(options: AccessMatchOptions): string | undefined {
  if (Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  for (const name of OPTION_NAMES) if (name in Object.prototype) return undefined;
  let key = '';
  // The options' own keys rather than a read of each option: the options of a call are usually
  // made by spreading optional parts, and reading the absent options of such objects was most of
  // the cost of the key. Own keys include non-enumerable ones, unlike `for in`.
  for (const name of Object.getOwnPropertyNames(options)) {
    const element = ELEMENT_CHECKS.get(name);
    if (element === undefined && name !== 'headers' && name !== 'notHeaders') continue;
    const values: unknown = options[name as keyof AccessMatchOptions];
    if (values === undefined) continue;
    if (element === undefined) return undefined;
    if (!Array.isArray(values) || values.length === 0) return undefined;
    for (const v of values) if (!element(v)) return undefined;
    key += `${name}\0${values.length}\0${values.join('\0')}\0`;
  }
  return key;
}

/** The options {@link toMatchSpec} reads. */
const OPTION_NAMES: readonly (keyof AccessMatchOptions)[] = [
  'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts', 'headers', 'notHeaders',
];

const isPort = (v: unknown): boolean => Number.isInteger(v);
const isText = (v: unknown): boolean => typeof v === 'string' && !v.includes('\0');

/** The check of each value of the list options a key is made of (a map: a record would inherit `toString`). */
const ELEMENT_CHECKS: ReadonlyMap<string, (v: unknown) => boolean> = new Map([
  ['ports', isPort], ['notPorts', isPort], ['methods', isText], ['notMethods', isText],
  ['paths', isText], ['notPaths', isText], ['hosts', isText], ['notHosts', isText],
]);
