// TM_APPLICATION_UID_RESERVED (istioctl IST0144): deployment.ApplicationUIDAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'application-uid/positive.yaml';
const CODE = 'TM_APPLICATION_UID_RESERVED';

describe(CODE, () => {
  it('reports pods and application containers running as UID 1337, at runAsUser', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode, d.location?.field])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'runAsUser: 1337', 1)}`, 'warning', 'IST0144', 'spec.securityContext.runAsUser'],
      [`positive.yaml:${lineOf(POSITIVE, 'runAsUser: 1337', 2)}`, 'warning', 'IST0144', 'spec.template.spec.containers[0].securityContext.runAsUser'],
      [`positive.yaml:${lineOf(POSITIVE, 'runAsUser: 1337', 3)}`, 'warning', 'IST0144', 'spec.template.spec.securityContext.runAsUser'],
    ]);
    expect(found[2].message).toMatch(/^StatefulSet shop\/db: .* is 1337, the user ID reserved for the sidecar proxy/);
  });

  it('stays quiet for the istio-proxy container, the control plane and other UIDs', () => {
    expect(withCode(analyzeFixture('application-uid/negative.yaml'), CODE)).toEqual([]);
  });
});
