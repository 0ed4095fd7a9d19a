import { describe, expect, test } from 'vitest';
import { appProbersJson, rewriteAppProbes } from '../../../src/render/sidecar/app-probes';

describe('rewriteAppProbes', () => {
  test('HTTP probes go to :15020/app-health/<container>/<kind>, keeping periods and thresholds', () => {
    const { containers, probers } = rewriteAppProbes([{
      name: 'web',
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 2 },
      livenessProbe: { httpGet: { path: '/live', port: 'http' }, failureThreshold: 7 },
      startupProbe: { httpGet: { path: '/start', port: 8080 } },
    }]);
    expect(containers[0].readinessProbe).toEqual({ httpGet: { path: '/app-health/web/readyz', port: 15020, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 2 });
    expect(containers[0].livenessProbe).toEqual({ httpGet: { path: '/app-health/web/livez', port: 15020 }, failureThreshold: 7 });
    expect(containers[0].startupProbe).toEqual({ httpGet: { path: '/app-health/web/startupz', port: 15020 } });
    expect(Object.keys(probers)).toEqual(['/app-health/web/livez', '/app-health/web/readyz', '/app-health/web/startupz']);
    expect(appProbersJson(probers)).toBe('{"/app-health/web/livez":{"httpGet":{"path":"/live","port":8080}},'
      + '"/app-health/web/readyz":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":2},'
      + '"/app-health/web/startupz":{"httpGet":{"path":"/start","port":8080}}}');
  });

  test('an HTTPS probe becomes HTTP towards the agent, which probes the app over HTTPS', () => {
    const { containers, probers } = rewriteAppProbes([{ name: 'tls', readinessProbe: { httpGet: { path: '/r', port: 8443, scheme: 'HTTPS' } } }]);
    expect(containers[0].readinessProbe?.httpGet).toEqual({ path: '/app-health/tls/readyz', port: 15020, scheme: 'HTTP' });
    expect(probers['/app-health/tls/readyz']).toEqual({ httpGet: { path: '/r', port: 8443, scheme: 'HTTPS' } });
  });

  test('TCP probes become HTTP probes on the agent', () => {
    const { containers, probers } = rewriteAppProbes([{ name: 'db', livenessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 20 } }]);
    expect(containers[0].livenessProbe).toEqual({ httpGet: { path: '/app-health/db/livez', port: 15020 }, periodSeconds: 20 });
    expect(probers).toEqual({ '/app-health/db/livez': { tcpSocket: { port: 5432 } } });
  });

  test('exec probes and probes already on the status port are left alone', () => {
    const input = [{ name: 'x', readinessProbe: { exec: { command: ['true'] } }, livenessProbe: { httpGet: { path: '/app-health/x/livez', port: 15020 } } }];
    const { containers, probers } = rewriteAppProbes(input);
    expect(containers).toEqual(input);
    expect(probers).toEqual({});
  });
});
