/**
 * Stable stand-ins for everything a synth derives from CA material, so that a snapshot taken on
 * one machine matches on another whose `trustmesh ca init` created a different root.
 *
 * Certificates are found wherever the synth put them — reviewable objects (the trust-bundle
 * ConfigMap), Secrets (base64 `data` or `stringData`), and non-manifest files (`ca-summary.md`
 * holds none in PEM form, so it is matched by the values below) — and numbered in the order the
 * output first shows them (reviewable files, then secrets), which depends on the declaration only.
 * Then, in every string:
 *
 * - a PEM certificate becomes `<certificate N: SUBJECT>` (an SVID, with no subject, shows its SPIFFE ID);
 * - its SHA-256 fingerprint (`AB:CD:…`, or plain hex) becomes `<sha256 of certificate N>`;
 * - its serial number, when long enough to be random (16+ hex digits), `<serial of certificate N>`;
 * - its validity dates (`2026-01-15T11:58:00Z`, with or without milliseconds), `<not before>` /
 *   `<not after>` — not numbered: certificates issued in one run may or may not share a second;
 * - any other PEM block (a key, or text that does not parse) becomes `<redacted LABEL>`.
 *
 * @module
 */
import { Certificate } from '../pki/certificate';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----\r?\n?/g;

/** A certificate with the number it is shown under. */
interface Numbered {
  readonly n: number;
  readonly certificate: Certificate;
}

/** The replacements of one synth's CA material. */
export class CaRedaction {
  /**
   * Collects the certificates of a synth's objects, numbering them in the order given.
   * @param manifests every object, in the order a reader meets them (reviewable ones, then secrets)
   */
  public static of(manifests: readonly Readonly<Record<string, unknown>>[]): CaRedaction {
    const found = new Map<string, Numbered>();
    const visit = (text: string): void => {
      for (const m of text.matchAll(PEM_BLOCK)) {
        if (m[1] !== 'CERTIFICATE') continue;
        const certificate = parseCertificate(m[0]);
        if (certificate && !found.has(certificate.fingerprintSha256)) {
          found.set(certificate.fingerprintSha256, { n: found.size + 1, certificate });
        }
      }
    };
    for (const manifest of manifests) {
      forEachString(manifest, visit);
      // Secret `data` is base64: the certificates are inside.
      const data = manifest.kind === 'Secret' ? manifest.data : undefined;
      if (data && typeof data === 'object') {
        for (const key of Object.keys(data).sort()) {
          const value = (data as Record<string, unknown>)[key];
          if (typeof value === 'string') visit(Buffer.from(value, 'base64').toString('utf8'));
        }
      }
    }
    return new CaRedaction([...found.values()]);
  }

  private readonly values: readonly (readonly [string, string])[];

  private constructor(private readonly certificates: readonly Numbered[]) {
    const values = new Map<string, string>();
    const add = (value: string, token: string): void => {
      if (value !== '' && !values.has(value)) values.set(value, token);
    };
    for (const { n, certificate: c } of certificates) {
      const hex = c.fingerprintSha256.replace(/:/g, '');
      add(c.fingerprintSha256, `<sha256 of certificate ${n}>`);
      add(hex, `<sha256 of certificate ${n}>`);
      add(hex.toLowerCase(), `<sha256 of certificate ${n}>`);
      if (c.serialNumber.length >= 16) add(c.serialNumber, `<serial of certificate ${n}>`);
      for (const [date, what] of [[c.notBefore, 'not before'], [c.notAfter, 'not after']] as const) {
        add(date.toISOString(), `<${what}>`);
        add(date.toISOString().replace('.000Z', 'Z'), `<${what}>`);
      }
    }
    // Longest first, so that a value never replaces part of a longer one.
    this.values = [...values].sort(([a], [b]) => b.length - a.length);
  }

  /** How many distinct certificates were found. */
  public get certificateCount(): number {
    return this.certificates.length;
  }

  /** A text with every CA-derived value replaced. */
  public redactText(text: string): string {
    let out = text.replace(PEM_BLOCK, (block: string, label: string) => {
      const end = /\r?\n$/.exec(block)?.[0] ?? '';
      const certificate = label === 'CERTIFICATE' ? parseCertificate(block) : undefined;
      const numbered = certificate && this.certificates.find((x) => x.certificate.fingerprintSha256 === certificate.fingerprintSha256);
      return `${numbered ? `<certificate ${numbered.n}: ${describe(numbered.certificate)}>` : `<redacted ${label}>`}${end}`;
    });
    for (const [value, token] of this.values) out = out.split(value).join(token);
    return out;
  }

  /** A deep copy of an object with every string redacted. */
  public redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redactText(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)])) as T;
    }
    return value;
  }
}

function parseCertificate(pem: string): Certificate | undefined {
  try {
    return Certificate.fromPem(pem);
  } catch {
    return undefined;
  }
}

function describe(c: Certificate): string {
  return c.subject || c.uris.join(', ') || c.dnsNames.join(', ') || 'no subject';
}

function forEachString(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const v of value) forEachString(v, visit);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) forEachString(v, visit);
}
