// TM_DESTINATION_RULE_UNKNOWN_HOST (istioctl IST0174) and TM_DESTINATION_RULE_SUBSET_NO_PODS (IST0173):
// destinationrule.SubsetSelectPodAnalyzer (with the Node topology labels of label.AugmentLabels).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'destination-rule-hosts/positive.yaml';
const CODES = ['TM_DESTINATION_RULE_UNKNOWN_HOST', 'TM_DESTINATION_RULE_SUBSET_NO_PODS'];

describe('DestinationRule hosts and subsets', () => {
  it('reports an unknown host and subsets that select no workload of the Service (empty topology labels match nothing)', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'host: reveiws')}`, 'TM_DESTINATION_RULE_UNKNOWN_HOST', 'warning', 'IST0174'],
      [`positive.yaml:${lineOf(POSITIVE, '{name: v2,')}`, 'TM_DESTINATION_RULE_SUBSET_NO_PODS', 'warning', 'IST0173'],
      [`positive.yaml:${lineOf(POSITIVE, '{name: eu-west,')}`, 'TM_DESTINATION_RULE_SUBSET_NO_PODS', 'warning', 'IST0173'],
    ]);
    expect(found[0].message).toMatch(/the host reveiws defined in the DestinationRule does not match any services in the mesh/);
    expect(found[1].message).toMatch(/the subset v2 defined in the DestinationRule does not select any pods of Service shop\/reviews \(app=reviews,version=v2;/);
    expect(analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => d.code === 'TM_DESTINATION_RULE_SUBSET_NO_PODS').map((d) => d.severity))
      .toEqual(['error', 'error']);
  });

  it('stays quiet for known hosts (wildcards, the API server), pod, topology and endpoint subsets', () => {
    expect(analyzeFixture('destination-rule-hosts/negative.yaml', { inventory: 'complete' }).filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
