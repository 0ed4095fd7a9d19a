import { TrustmeshError } from '../errors';
import { RouteMatchSpec } from '../model/ingress-gateway';

/**
 * Which requests an ingress route takes, by URI path. Routes of different services through one
 * gateway host must not overlap (istiod merges their VirtualServices in an unspecified order).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 * @example gateway.route(api, { match: RouteMatch.pathPrefix('/api/juice-shop') })
 */
export class RouteMatch {
  /** Paths starting with `prefix` (`/api` also takes `/apis`; end it with `/` to stop at a segment). */
  public static pathPrefix(prefix: string): RouteMatch {
    return new RouteMatch({ kind: 'prefix', path: checkPath(prefix) });
  }

  /** Exactly this path (the query string is not part of it). */
  public static exactPath(path: string): RouteMatch {
    return new RouteMatch({ kind: 'exact', path: checkPath(path) });
  }

  private constructor(private readonly spec: RouteMatchSpec) {}

  /** @internal */
  public _toSpec(): RouteMatchSpec {
    return this.spec;
  }
}

function checkPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s?#*]/.test(path)) {
    throw new TrustmeshError('TM_INVALID_PATH', 'route path does not start with "/" or contains a space, "?", "#" or "*"', {
      value: path, allowed: 'a path such as "/api/" (prefixes need no wildcard)',
    });
  }
  return path;
}
