/**
 * What the webhook rules are made of: the check each finding belongs to (a code naming istiod's
 * rule, its severity and the istiod function), the finding itself (a field path inside the object,
 * the message with the value received, the fix), and a collector the per-kind modules write to.
 *
 * The rules are pure functions over plain objects (a manifest as parsed from YAML or as
 * `ApiObject.toJson()` returns it), so the analyzer and synth call the same code.
 *
 * @module
 */
import type { ErrorCode } from '../../errors';
import { describeValue } from '../../errors';

/** A path into an object: map keys and list indexes, e.g. `['spec', 'servers', 0, 'tls']`. */
export type WebhookPath = readonly (string | number)[];

/** One rule family of istiod's validating webhook, as trustmesh reports it. */
export interface WebhookCheck {
  /** Stable trustmesh code, e.g. `TM_SERVER_TLS_CERTIFICATE_SOURCE`. */
  readonly code: ErrorCode;
  /** What istiod does with the family's findings: reject the object, or admit it with a warning. */
  readonly severity: 'error' | 'warning';
  /** One line: what the family finds. */
  readonly title: string;
  /** The istiod function(s) in `pkg/config/validation`, e.g. `validateTLSOptions`. */
  readonly istiod: string;
}

/** One finding of a webhook rule, located by a path inside the object. */
export interface WebhookFinding {
  readonly code: ErrorCode;
  /** istiod's verdict for this finding (a family can hold both errors and warnings). */
  readonly severity: 'error' | 'warning';
  readonly path: WebhookPath;
  /** What is wrong, with the value received and what is allowed. */
  readonly message: string;
  readonly fix: string;
}

/** The metadata the rules read (annotations, labels, namespace, name). */
export interface WebhookMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Collects the findings of one object. */
export class Findings {
  public readonly list: WebhookFinding[] = [];

  /** A finding with the check's severity. */
  public add(check: WebhookCheck, path: WebhookPath, message: string, fix: string): void {
    this.list.push({ code: check.code, severity: check.severity, path, message, fix });
  }

  /** A finding istiod only warns about (the object is admitted). */
  public warn(check: WebhookCheck, path: WebhookPath, message: string, fix: string): void {
    this.list.push({ code: check.code, severity: 'warning', path, message, fix });
  }
}

/** `spec.servers[0].tls` for a path (map keys that are not plain names in brackets). */
export function webhookPathString(path: WebhookPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${p}]`;
  }
  return out;
}

/** A value for a message: strings quoted, the rest as JSON, long values shortened. */
export function show(value: unknown): string {
  return describeValue(value);
}
