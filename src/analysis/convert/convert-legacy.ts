/**
 * `trustmesh convert`: turns a config's pre-1.6 objects into PeerAuthentication,
 * RequestAuthentication and AuthorizationPolicy of one apiVersion (see `convert-authn.ts` and
 * `convert-rbac.ts` for the mappings; Istio 1.4's v1beta1 AuthorizationPolicies beside them:
 * `convert-authorization-policy.ts`), and the converted config: the input's other objects plus the
 * converted ones, without the legacy objects — what {@link proveConversion} compares.
 *
 * @module
 */
import { convertAuthn } from './convert-authn';
import { convertAuthorizationPolicies } from './convert-authorization-policy';
import { convertRbac } from './convert-rbac';
import { Conversion, ConversionBuilder, ConvertedObject } from './convert-types';
import { toYamlStream } from '../../private/yaml-emitter';
import { IstioConfig } from '../config/istio-config';
import { LEGACY_KINDS, noLegacyPolicies } from '../config/legacy-resources';
import { buildIstioConfig, parseConfigText } from '../config/load-config';

/** Options of {@link convertLegacy}. */
export interface ConvertOptions {
  /** `security.istio.io/v1` (Istio 1.22+) or `security.istio.io/v1beta1`. */
  readonly apiVersion: string;
  /** @default 'istio-system' */
  readonly rootNamespace?: string;
}

/** Converts the legacy objects of a config. */
export function convertLegacy(config: IstioConfig, options: ConvertOptions): Conversion {
  const b = new ConversionBuilder(options.apiVersion);
  const root = options.rootNamespace ?? 'istio-system';
  convertAuthn(config, b, root);
  convertRbac(config, b, root);
  const replaced = convertAuthorizationPolicies(config, b);
  for (const binding of config.legacy.bindings) {
    if (!config.legacy.roles.some((r) => r.metadata.namespace === binding.metadata.namespace && r.metadata.name === binding.spec.roleRef.name)) {
      b.note(binding, `roleRef ${binding.spec.roleRef.name} names no ServiceRole of the namespace: it granted nothing; nothing generated`);
    } else if (binding.spec.mode === 'PERMISSIVE') {
      b.note(binding, 'mode PERMISSIVE (logged, not enforced): nothing generated');
    } else {
      b.entry(binding);
    }
  }
  for (const c of config.legacy.rbacConfigs) b.entry(c);
  return { ...b.build(), replaced };
}

/** The converted objects as a YAML stream. */
export function conversionYaml(objects: readonly ConvertedObject[]): string {
  return toYamlStream(objects);
}

/** The config after conversion: the input's non-legacy objects plus the converted objects. */
export function convertedConfig(config: IstioConfig, conversion: Conversion): IstioConfig {
  const replaced = new Set<unknown>(conversion.replaced ?? []);
  const kept = config.objects.filter((o) => !LEGACY_KINDS.has(`${o.apiVersion}/${o.kind}`) && !replaced.has(o));
  const converted = parseConfigText(conversionYaml(conversion.objects), '<converted>');
  return buildIstioConfig([...kept, ...converted.objects], converted.diagnostics);
}

/**
 * The config the symbolic access engine reads: unchanged without legacy objects; otherwise its
 * conversion (refusals become warnings of the result, so they are reported, not dropped).
 */
export function modernConfig(config: IstioConfig, rootNamespace = 'istio-system'): IstioConfig {
  if (noLegacyPolicies(config.legacy)) return config;
  const conversion = convertLegacy(config, { apiVersion: 'security.istio.io/v1', rootNamespace });
  const converted = convertedConfig(config, conversion);
  const refusals = conversion.refusals.map((d) => ({ ...d, severity: 'warning' as const, message: `${d.message} (left out of the access analysis)` }));
  return { ...converted, diagnostics: [...config.diagnostics, ...converted.diagnostics, ...refusals] };
}
