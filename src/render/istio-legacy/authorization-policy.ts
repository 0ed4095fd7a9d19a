/**
 * Istio 1.4's `security.istio.io/v1beta1` AuthorizationPolicy, the alternative to RBAC that
 * `legacyAuthorization: AUTHORIZATION_POLICY` asks for. As 1.4 knew it (authorization.proto at
 * istio/api 1.4.10): `selector` and `rules` only — no `action` (every policy allows), Source
 * `principals`, `requestPrincipals`, `namespaces`, `ipBlocks`, Operation `hosts`, `ports`, `methods`,
 * `paths`, Condition `key`/`values`; no negated field. Pilot 1.4 builds a workload's RBAC filter
 * from the v1beta1 policies of the root namespace and the workload's namespace whose selector
 * matches; when there is one, RBAC (ServiceRole, ClusterRbacConfig) is not consulted for that
 * workload, and a policy without rules allows nothing (builder.go, policy/v1beta1 at 1.4.10).
 *
 * @module
 */
import { assertLegacyIntention } from './legacy-checks';
import { legacyCannotExpress } from './legacy-errors';
import { LegacyNames } from './legacy-names';
import { allowIntentions } from './rbac';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { renderServicePolicy } from '../istio/authorization-policy';
import { IstioManifest, sortedStrings } from '../istio/manifest';

/** Source fields Istio 1.4's AuthorizationPolicy has. */
const SOURCE_FIELDS = new Set(['principals', 'requestPrincipals', 'namespaces', 'ipBlocks']);
/** Operation fields Istio 1.4's AuthorizationPolicy has (hosts are refused at declaration: 1.4 compares them case-sensitively). */
const OPERATION_FIELDS = new Set(['ports', 'methods', 'paths']);

/** The name of a service's 1.4 AuthorizationPolicy: `<service>-allow`, as on 1.5+. */
export function legacyPolicyName(service: string): string {
  return LegacyNames.authorizationPolicy(service);
}

/**
 * The AuthorizationPolicy `<service>-allow` of a service with ALLOW intentions: the rules the 1.5+
 * renderer writes, without `action`, with every peer principal listed under each trust domain alias
 * (1.x has no alias matching of its own unless the install's MeshConfig sets it).
 *
 * @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE for what 1.4's AuthorizationPolicy cannot
 *   say (the intention checks of {@link assertLegacyIntention})
 */
export function renderLegacyAuthorizationPolicy(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  const version = model.spec.istioVersion;
  const where = `intention towards ${service.namespace}/${service.name}`;
  for (const intention of allowIntentions(model, service)) assertLegacyIntention(version, intention, 'AUTHORIZATION_POLICY');
  const v1 = renderServicePolicy(model, service, 'ALLOW', 'ENFORCE');
  if (!v1) return undefined;
  const spec = v1.spec as { selector: unknown; rules: Record<string, unknown>[] };
  const { trustDomain, trustDomainAliases } = model.spec;
  const rules = spec.rules.map((rule) => {
    const from = (rule.from as { source: Record<string, string[]> }[] | undefined)?.map(({ source }) => {
      for (const field of Object.keys(source)) {
        if (!SOURCE_FIELDS.has(field)) legacyCannotExpress(version, `AuthorizationPolicy source ${field}`, where);
      }
      // `principals: ["*"]` is any authenticated caller in 1.4's v1beta1 (regex `.+`), as in v1:
      // unlike RBAC's `source.principal: "*"`, it needs no refusal towards plaintext ports.
      const principals = source.principals;
      if (!principals || trustDomainAliases.length === 0) return { source };
      const prefix = `${trustDomain}/`;
      const aliased = principals.flatMap((p) => (p.startsWith(prefix)
        ? [p, ...trustDomainAliases.map((alias) => `${alias}/${p.slice(prefix.length)}`)] : [p]));
      return { source: { ...source, principals: sortedStrings(aliased) } };
    });
    for (const { operation } of (rule.to as { operation: Record<string, unknown> }[] | undefined) ?? []) {
      for (const field of Object.keys(operation)) {
        if (!OPERATION_FIELDS.has(field)) legacyCannotExpress(version, `AuthorizationPolicy operation ${field}`, where);
      }
    }
    for (const c of (rule.when as { key: string; notValues?: string[] }[] | undefined) ?? []) {
      if (c.notValues) legacyCannotExpress(version, `AuthorizationPolicy condition ${c.key} notValues`, where);
    }
    return from ? { ...rule, from } : rule;
  });
  return {
    apiVersion: v1.apiVersion,
    kind: 'AuthorizationPolicy',
    metadata: { name: legacyPolicyName(service.name), namespace: service.namespace },
    spec: { selector: spec.selector, rules },
  };
}
