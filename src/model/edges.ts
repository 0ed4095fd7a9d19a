/**
 * The mesh's edges — ingress gateways, egress, audit logging — as one part of the model. Their
 * whole-graph checks are in `edge-checks.ts`.
 *
 * @module
 */
import { AccessLoggingSpec } from './access-logging';
import { EgressPolicySpec, ExternalServiceSpec, PlaintextExceptionSpec } from './egress';
import { GatewayCredentialSpec, IngressGatewaySpec } from './ingress-gateway';

/** Everything about traffic entering and leaving the mesh, and audit logging. */
export interface EdgesSpec {
  readonly gateways: readonly IngressGatewaySpec[];
  /** Gateway credential Secrets the declaration emits or declares as existing. */
  readonly credentials: readonly GatewayCredentialSpec[];
  readonly egressPolicies: readonly EgressPolicySpec[];
  readonly externalServices: readonly ExternalServiceSpec[];
  readonly plaintextExceptions: readonly PlaintextExceptionSpec[];
  readonly accessLogging: readonly AccessLoggingSpec[];
}

/** An empty edges part. */
export const NO_EDGES: EdgesSpec = Object.freeze({
  gateways: [], credentials: [], egressPolicies: [], externalServices: [], plaintextExceptions: [], accessLogging: [],
});
