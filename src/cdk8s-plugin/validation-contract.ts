/**
 * The cdk8s validation-plugin contract, restated structurally so trustmesh does not depend on
 * `cdk8s-cli` at run time (the CLI loads the plugin and passes these objects in). Mirrors
 * `cdk8s-cli/lib/plugins/validation.d.ts` (cdk8s-cli 2.x); the tests check the two stay assignable.
 *
 * @see https://cdk8s.io/docs/latest/cli/synth/#validation-plugins
 * @module
 */

/** A resource that violates a rule, as cdk8s reports it. */
export interface ValidationViolatingResource {
  /** `metadata.name`; cdk8s maps it to the construct path when construct metadata is recorded. */
  readonly resourceName: string;
  /** Where in the manifest the violation is. */
  readonly locations: readonly string[];
  /** The manifest file. */
  readonly manifestPath: string;
}

/** One violation of the report. */
export interface ValidationViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly ValidationViolatingResource[];
}

/** `context.report`. */
export interface ValidationReportLike {
  addViolation(violation: ValidationViolation): void;
  submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
}

/** `context.logger`. */
export interface ValidationLoggerLike {
  log(message: string): void;
}

/** What `cdk8s synth` hands to a validation plugin. */
export interface ValidationContextLike {
  /** Paths of the synthesized manifest files. */
  readonly manifests: readonly string[];
  readonly report: ValidationReportLike;
  readonly logger: ValidationLoggerLike;
}
