import { describe, expect, test } from 'vitest';
import { fixture } from './fixtures';
import { istioIptablesArgs, trafficAnnotations } from '../../../src/render/sidecar/traffic';

describe('istio-iptables arguments from traffic annotations', () => {
  test('defaults: capture everything, exclude only the sidecar ports', () => {
    expect(istioIptablesArgs({}, { cni: false })).toEqual([
      'istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT',
      '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info',
    ]);
  });

  test('the golden traffic-annotations pod maps to -i -x -b -d -o as the reference lists', () => {
    const golden = fixture<{ annotations: Record<string, string>; args: string[] }>('traffic-annotations.yaml');
    expect(istioIptablesArgs(golden.annotations, { cni: false })).toEqual(golden.args);
  });

  test.each([
    ['traffic.sidecar.istio.io/includeOutboundPorts', '80,443', '-q'],
    ['traffic.sidecar.istio.io/excludeOutboundPorts', '443', '-o'],
    ['istio.io/reroute-virtual-interfaces', 'net1', '-k'],
    ['traffic.sidecar.istio.io/kubevirtInterfaces', 'net1', '-k'],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'eth1', '-c'],
  ])('%s becomes %s', (annotation, value, flag) => {
    const args = istioIptablesArgs({ [annotation]: value }, { cni: false });
    expect(args[args.indexOf(flag) + 1]).toBe(value);
  });

  test('the status port is not excluded twice', () => {
    const args = istioIptablesArgs({ 'traffic.sidecar.istio.io/excludeInboundPorts': '15020,9000' }, { cni: false });
    expect(args[args.indexOf('-d') + 1]).toBe('15090,15021,15020,9000');
  });

  test('the CNI variant only validates', () => {
    expect(istioIptablesArgs({}, { cni: true }).slice(-2)).toEqual(['--run-validation', '--skip-rule-apply']);
  });
});

describe('trafficAnnotations', () => {
  test('writes only what is set, sorted, with lists comma-joined', () => {
    expect(trafficAnnotations({})).toEqual({});
    expect(trafficAnnotations({ interceptionMode: 'REDIRECT' })).toEqual({});
    expect(trafficAnnotations({
      excludeOutboundPorts: [443, 6443], excludeOutboundIpRanges: ['10.96.0.1/32'], includeInboundPorts: '*', interceptionMode: 'TPROXY',
    })).toEqual({
      'sidecar.istio.io/interceptionMode': 'TPROXY',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.1/32',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '443,6443',
      'traffic.sidecar.istio.io/includeInboundPorts': '*',
    });
  });

  test('round trip: what the annotations say is what istio-iptables gets', () => {
    const args = istioIptablesArgs(trafficAnnotations({ excludeOutboundPorts: [443], excludeInboundPorts: [9090] }), { cni: false });
    expect(args[args.indexOf('-o') + 1]).toBe('443');
    expect(args[args.indexOf('-d') + 1]).toBe('15090,15021,9090,15020');
  });
});
