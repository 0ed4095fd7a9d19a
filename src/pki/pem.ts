import { TrustmeshError } from '../errors';

/** One `-----BEGIN X-----` … `-----END X-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE` or `PRIVATE KEY`. */
  readonly label: string;
  /** The whole block, normalized to `\n` line ends and ending with one `\n`. */
  readonly pem: string;
  /** The decoded bytes. */
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Splits PEM text into its blocks. Text between blocks (comments, as openssl writes them) is
 * ignored; a block with a mismatched END label or invalid base64 is an error, and so is text that
 * holds no block at all.
 * @throws TrustmeshError `TM_CA_BAD_PEM`
 */
export function splitPem(text: string, file?: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of String(text).matchAll(BLOCK)) {
    const [, label, body, endLabel] = match;
    if (label !== endLabel) {
      throw badPem(`PEM block "${label}" ends with "END ${endLabel}"`, file);
    }
    const base64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
      throw badPem(`PEM block "${label}" does not hold valid base64`, file);
    }
    const der = Buffer.from(base64, 'base64');
    blocks.push({ label, der, pem: encodePem(label, der) });
  }
  if (blocks.length === 0) throw badPem('no PEM block found', file);
  return blocks;
}

/** Encodes DER bytes as a PEM block with 64-character lines and a trailing newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Concatenates PEM blocks, each ending with exactly one newline. */
export function joinPem(pems: readonly string[]): string {
  return pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}

function badPem(summary: string, file: string | undefined): TrustmeshError {
  return new TrustmeshError('TM_CA_BAD_PEM', summary, {
    location: file ? { file } : undefined,
    allowed: 'PEM text: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE----- blocks',
    fix: 'restore the file from a backup, or re-create the material with `trustmesh ca init --force`',
  });
}
