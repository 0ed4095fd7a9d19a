// Types for the trustmesh/testing matchers registered in test/setup.ts (users add the same lines).
import 'vitest';

declare module 'vitest' {
  interface Assertion<T> {
    toBeAllowed(): T;
    toBeDenied(outcome?: 'DENY_403' | 'DENY_401' | 'DENY_CONN'): T;
  }
}
