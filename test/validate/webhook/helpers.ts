// Helpers for the webhook rule tests: build an object of an Istio kind, run istiod's rules on it
// and compare the findings as `severity CODE path` lines.
import { expect } from 'vitest';
import { validateWebhook, WebhookFinding, webhookPathString } from '../../../src/validate/webhook/validate-webhook';

const API_VERSIONS: Readonly<Record<string, string>> = {
  AuthorizationPolicy: 'security.istio.io/v1',
  PeerAuthentication: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
  Telemetry: 'telemetry.istio.io/v1',
};

/** An object of `kind` named `x` in namespace `ns`. */
export function obj(kind: string, spec: unknown, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: API_VERSIONS[kind] ?? 'networking.istio.io/v1', kind, metadata: { name: 'x', namespace: 'ns', ...metadata }, spec };
}

/** The findings of istiod's rules on `kind`/`spec`. */
export function run(kind: string, spec: unknown, metadata: Record<string, unknown> = {}): WebhookFinding[] {
  return validateWebhook(obj(kind, spec, metadata));
}

/** `severity CODE path` per finding. */
export function lines(findings: readonly WebhookFinding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.code} ${webhookPathString(f.path)}`);
}

/** Asserts the findings are exactly `expected` (`severity CODE path`), and each message matches its pattern. */
export function expectFindings(findings: readonly WebhookFinding[], expected: ReadonlyArray<readonly [string, RegExp?]>): void {
  expect(lines(findings), findings.map((f) => `${f.code}: ${f.message}`).join('\n')).toEqual(expected.map(([l]) => l));
  expected.forEach(([, pattern], i) => {
    if (pattern) expect(findings[i].message).toMatch(pattern);
    expect(findings[i].fix.length).toBeGreaterThan(10);
  });
}

/** Asserts istiod admits the object without a warning. */
export function expectValid(findings: readonly WebhookFinding[]): void {
  expect(lines(findings), findings.map((f) => `${f.code}: ${f.message}`).join('\n')).toEqual([]);
}

/** `Kind ns/name: severity CODE path: message` for every finding of istiod's rules on rendered objects. */
export function istiodFindings(objects: readonly object[]): string[] {
  return objects.flatMap((o) => {
    const m = o as { kind?: string; metadata?: { namespace?: string; name?: string } };
    return validateWebhook(o).map((f) => `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}: ${f.severity} ${f.code} ${webhookPathString(f.path)}: ${f.message}`);
  });
}
