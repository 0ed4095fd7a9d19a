/**
 * The {@link JsonShape}s of the generated spec converters (`imports/`) of the Istio kinds whose
 * objects are many: every service has AuthorizationPolicies, so their serialization is most of
 * an Istio mesh's (synth10, S=1,000: 1,697 of 1,788 objects). Each shape lists exactly the
 * properties its generated converter writes (test/constructs/private/istio-spec-shapes.test.ts
 * checks that against the converters).
 *
 * @module
 */
import { fieldsOf, JsonShape, listOf, SCALAR, SCALAR_MAP } from './json-shape';

const STRINGS = listOf(SCALAR);

const TARGET_REF = fieldsOf({ group: SCALAR, kind: SCALAR, name: SCALAR, namespace: SCALAR });

/**
 * `spec` of security.istio.io AuthorizationPolicy, v1 and v1beta1 alike
 * (`toJson_AuthorizationPolicySpec`, `toJson_AuthorizationPolicyV1Beta1Spec`).
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export const AUTHORIZATION_POLICY_SPEC: JsonShape = fieldsOf({
  action: SCALAR,
  provider: fieldsOf({ name: SCALAR }),
  rules: listOf(fieldsOf({
    from: listOf(fieldsOf({
      source: fieldsOf({
        ipBlocks: STRINGS,
        namespaces: STRINGS,
        notIpBlocks: STRINGS,
        notNamespaces: STRINGS,
        notPrincipals: STRINGS,
        notRemoteIpBlocks: STRINGS,
        notRequestPrincipals: STRINGS,
        notServiceAccounts: STRINGS,
        notTrustDomains: STRINGS,
        principals: STRINGS,
        remoteIpBlocks: STRINGS,
        requestPrincipals: STRINGS,
        serviceAccounts: STRINGS,
        trustDomains: STRINGS,
      }),
    })),
    to: listOf(fieldsOf({
      operation: fieldsOf({
        hosts: STRINGS,
        methods: STRINGS,
        notHosts: STRINGS,
        notMethods: STRINGS,
        notPaths: STRINGS,
        notPorts: STRINGS,
        paths: STRINGS,
        ports: STRINGS,
      }),
    })),
    when: listOf(fieldsOf({ key: SCALAR, notValues: STRINGS, values: STRINGS })),
  })),
  selector: fieldsOf({ matchLabels: SCALAR_MAP }),
  targetRef: TARGET_REF,
  targetRefs: listOf(TARGET_REF),
});
