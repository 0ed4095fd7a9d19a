import { TrustmeshError } from '../errors';

/** HTTP methods an intention may name (gRPC calls are always POST). */
export const HTTP_METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'] as const;

/** One of {@link HTTP_METHODS}. */
export type HttpMethodName = typeof HTTP_METHODS[number];

/**
 * @throws TrustmeshError TM_INVALID_METHOD
 */
export function assertHttpMethod(method: string): asserts method is HttpMethodName {
  if ((HTTP_METHODS as readonly string[]).includes(method)) return;
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  throw new TrustmeshError('TM_INVALID_METHOD', 'unknown HTTP method', {
    value: method,
    allowed: HTTP_METHODS.join(', '),
    fix: (HTTP_METHODS as readonly string[]).includes(upper) ? `did you mean "${upper}"? (Istio compares methods case-sensitively)` : undefined,
  });
}
