// TM_IMAGE_AUTO_WITHOUT_INJECTION (istioctl IST0146 / IST0147, injection.ImageAutoAnalyzer) and
// TM_PROXY_IMAGE_MISMATCH (IST0158, injection.ImageAnalyzer).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'proxy-image/positive.yaml';
const CODES = ['TM_IMAGE_AUTO_WITHOUT_INJECTION', 'TM_PROXY_IMAGE_MISMATCH'];

describe('proxy image', () => {
  it('reports image: auto no webhook fills in (error on a Pod, warning on a template) and pods with an old proxy, per namespace', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: shop, labels')}`, 'TM_PROXY_IMAGE_MISMATCH', 'warning', 'IST0158'],
      [`positive.yaml:${lineOf(POSITIVE, 'image: auto', 1)}`, 'TM_IMAGE_AUTO_WITHOUT_INJECTION', 'error', 'IST0147'],
      [`positive.yaml:${lineOf(POSITIVE, 'image: auto', 2)}`, 'TM_IMAGE_AUTO_WITHOUT_INJECTION', 'warning', 'IST0146'],
    ]);
    expect(found[0].message).toMatch(/\(pod names: \[cart-7d9f search-5b2c\]\)/);
    expect(found[2].message).toMatch(/Deployment edge\/edge-gateway contains `image: auto` but does not match any Istio injection webhook selectors/);
  });

  it('does not judge pod templates without the injection webhooks in the input, unless the inventory is complete', () => {
    const file = 'gateway-workloads/positive.yaml';
    expect(analyzeFixture(file).filter((d) => CODES.includes(d.code))).toEqual([]);
    expect(analyzeFixture(file, { inventory: 'complete' }).filter((d) => CODES.includes(d.code)).map((d) => d.upstreamCode)).toEqual(['IST0146']);
  });

  it('stays quiet for templates the webhook selects and the injected image, with its distroless variant or a pinned image', () => {
    expect(analyzeFixture('proxy-image/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
