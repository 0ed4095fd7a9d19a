// The public API of trustmesh: explicit named exports only.
export { TrustmeshError, TrustmeshAggregateError, formatDiagnostic, formatLocation } from './errors';
export type { Diagnostic, ErrorCode, Severity, SourceLocation, TrustmeshErrorOptions } from './errors';
