/**
 * What every analyzer rule is made of: the codes it reports (with severity and the matching
 * istioctl `IST…` / Kiali `KIA…` code), the context it reads, and the helper that turns a finding
 * into a located {@link Diagnostic}.
 *
 * @module
 */
import { Inventory } from './inventory';
import { Diagnostic, ErrorCode, Severity } from '../../../errors';
import { IstioVersion } from '../../../model/istio-version';
import type { WebhookResults } from '../../../validate/webhook/validate-webhook';
import { IstioConfig, LoadedObject } from '../../config/istio-config';
import { MeshConfig } from '../../config/mesh-config';
import { FieldPath } from '../../config/yaml-source';
import { Evaluator } from '../../evaluator/evaluate';

/** One finding code of the analyzer and how it is reported. */
export interface AnalyzerCheck {
  /** Stable trustmesh code, e.g. `TM_SELECTOR_NO_WORKLOAD`. */
  readonly code: ErrorCode;
  /** Default severity (a rule may lower or raise it per finding, e.g. by inventory certainty). */
  readonly severity: Severity;
  /** The matching istioctl analyze or Kiali code, when one exists. */
  readonly upstreamCode?: string;
  /** One line: what the check finds. Used as the rule name of cdk8s violations. */
  readonly title: string;
}

/** What a rule can read. Built once per {@link analyze} call. */
export interface RuleContext {
  readonly config: IstioConfig;
  readonly mesh: MeshConfig;
  /** The evaluator over the same config: PeerAuthentication/RequestAuthentication/AuthorizationPolicy resolution per workload. */
  readonly evaluator: Evaluator;
  /** Which namespaces, service accounts and workloads the input is known to list completely. */
  readonly inventory: Inventory;
  /** The Istio release the config is applied to; `undefined` for a current one (see `AnalyzeOptions.istioVersion`). */
  readonly istioVersion?: IstioVersion;
  /** Webhook findings already computed for these very objects (synth validated them first), if any. */
  readonly webhookResults?: WebhookResults;
}

/** A rule (or a small family of rules): the checks it reports and how it finds them. */
export interface AnalyzerRule {
  /** The rule file's name, e.g. `selector-no-workload`. */
  readonly name: string;
  readonly checks: readonly AnalyzerCheck[];
  run(context: RuleContext): Diagnostic[];
}

/** Per-finding overrides of a check's defaults. */
export interface FindingOverrides {
  readonly severity?: Severity;
  readonly upstreamCode?: string;
}

/**
 * A diagnostic for `check` located at `path` inside `obj` (file:line:column of the field, or of
 * the nearest parent that exists).
 */
export function finding(check: AnalyzerCheck, obj: LoadedObject, path: FieldPath, message: string, fix: string,
  overrides: FindingOverrides = {}): Diagnostic {
  const upstreamCode = overrides.upstreamCode ?? check.upstreamCode;
  return {
    code: check.code,
    severity: overrides.severity ?? check.severity,
    message,
    location: obj.locate(path),
    fix,
    ...(upstreamCode ? { upstreamCode } : {}),
  };
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects). */
export function objectRef(obj: LoadedObject): string {
  const ns = obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name || '<unnamed>'}`;
}
