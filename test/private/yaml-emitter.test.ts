import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYamlStream } from '../../src/private/yaml-emitter';

describe('toYamlStream', () => {
  test('strings a YAML 1.1 reader would take for another type stay strings', () => {
    const tricky = ['8080', 'on', 'off', 'yes', 'no', 'y', 'n', 'true', 'null', '~', '1.5', '0755', '0x1F', '1e3', '', ' padded', 'a: b', '- x', '*', '*.example.com', '#x'];
    const text = toYamlStream([{ values: tricky }]);
    const [doc] = parseAllDocuments(text, { version: '1.1' });
    expect(doc.toJS()).toEqual({ values: tricky });
  });

  test('multi-document stream, keys in given order, no folding of long lines, block literals for PEM', () => {
    const long = 'x'.repeat(300);
    const text = toYamlStream([{ kind: 'A', b: 1, a: long }, { kind: 'B', pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }]);
    expect(text).toBe(`kind: A\nb: 1\na: ${long}\n---\nkind: B\npem: |\n  -----BEGIN CERTIFICATE-----\n  MIIB\n  -----END CERTIFICATE-----\n`);
  });
});
