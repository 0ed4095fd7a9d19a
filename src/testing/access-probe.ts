/**
 * A probe's request and its decision, shared by service probes (`access.ts`) and gateway probes
 * (`gateway-access.ts`).
 *
 * @module
 */
import { AccessDecision, AccessRequest, JwtLocation } from '../semantics/access-request';

/** An end-user token for a probe. */
export interface ProbeToken {
  /** The `iss` claim. */
  readonly issuer: string;
  /** Other claims (`sub` defaults to `user`). */
  readonly claims?: Record<string, unknown>;
  /** @default 'header:Authorization' */
  readonly location?: JwtLocation;
}

/** @internal the valid token a probe's request carries, if any. */
export function probeJwt(token: ProbeToken | undefined): AccessRequest['jwt'] {
  return token ? {
    status: 'valid',
    claims: { iss: token.issuer, sub: 'user', ...token.claims },
    ...(token.location ? { location: token.location } : {}),
  } : null;
}

/** A request whose decision is computed on demand. */
export class AccessProbe {
  private cached?: AccessDecision;

  /** @internal */
  public constructor(public readonly description: string, private readonly run: () => AccessDecision) {}

  /** The evaluator's decision. */
  public get decision(): AccessDecision {
    this.cached ??= this.run();
    return this.cached;
  }
}
