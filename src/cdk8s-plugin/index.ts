/**
 * The cdk8s validation plugin, loadable by path as well as from the package:
 * `validations: [{ package: ./node_modules/trustmesh/lib/src/cdk8s-plugin, version: 0.0.0, class: TrustmeshValidation }]`.
 *
 * @module
 */
export { TrustmeshValidation } from './trustmesh-validation';
export type { TrustmeshValidationProps } from './trustmesh-validation';
export { accessMatrixSummary } from './matrix-summary';
export type {
  ValidationContextLike, ValidationLoggerLike, ValidationReportLike, ValidationViolatingResource, ValidationViolation,
} from './validation-contract';
