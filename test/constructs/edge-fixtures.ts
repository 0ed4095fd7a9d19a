// Shared helpers of the edge tests (gateways, egress): CA material with the example clusters and
// credentials, issued from fixture keys.
import { CaMaterial } from '../../src/pki/ca-material';
import { KeyAlgorithm } from '../../src/pki/key-algorithm';
import { fixedPki } from '../pki/pki-fixtures';

export const JUICE_SHOP = 'juice-shop.istio-succinctly.io';

/**
 * Material with the clusters of the three micro-shake-factory outputs, the juice-shop gateway
 * credentials of the SIMPLE and MUTUAL variants, and a client credential. Issued at `at` (fixture
 * keys, counter serials), so certificates are valid around that date.
 */
export async function edgeMaterial(at: Date): Promise<CaMaterial> {
  const pki = fixedPki(['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6', 'p256-7', 'p256-8'], at);
  const root = await pki.createRoot({ algorithm: KeyAlgorithm.ECDSA_P256, commonName: 'Root CA G1' });
  const simple = await pki.createIntermediate(root, { cluster: 'micro-shake-factory' });
  const mutual = await pki.createIntermediate(root, { cluster: 'micro-shake-factory-mutual' });
  const passthrough = await pki.createIntermediate(root, { cluster: 'micro-shake-factory-passthrough' });
  const gateway = await pki.issueServerCertificate(simple, { hosts: [JUICE_SHOP] });
  const gatewayMutual = await pki.issueServerCertificate(mutual, { hosts: [JUICE_SHOP] });
  const other = await pki.issueServerCertificate(simple, { hosts: ['other.example.com'] });
  const client = await pki.issueClientCertificate(simple, { commonName: 'partner-client' });
  return CaMaterial.of({
    trustDomain: 'cluster.local',
    signingRoot: root.certificate,
    clusters: [
      { cluster: 'micro-shake-factory', intermediate: simple },
      { cluster: 'micro-shake-factory-mutual', intermediate: mutual },
      { cluster: 'micro-shake-factory-passthrough', intermediate: passthrough },
    ],
    credentials: [
      { name: 'juice-shop', kind: 'gateway', cluster: 'micro-shake-factory', credential: gateway },
      { name: 'juice-shop-mutual', kind: 'gateway', cluster: 'micro-shake-factory-mutual', credential: gatewayMutual },
      { name: 'other', kind: 'gateway', cluster: 'micro-shake-factory', credential: other },
      { name: 'partner-client', kind: 'client', cluster: 'micro-shake-factory', credential: client },
    ],
  });
}
