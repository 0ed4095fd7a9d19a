import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { errnoCode, readTextFile } from '../../src/private/fs-read';
import { catchTrustmesh } from '../helpers';

describe('readTextFile', () => {
  it('returns the file as UTF-8 text', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-fs-read-')), 'a.yaml');
    fs.writeFileSync(file, 'kind: Namespace # ü\n');
    expect(readTextFile(file, 'cannot read the file')).toBe('kind: Namespace # ü\n');
  });

  it('throws TM_FILE_NOT_FOUND with the summary, the file as location, the fix and the I/O error as cause', () => {
    const e = catchTrustmesh(() => readTextFile('/no/such/file.yaml', 'cannot read the request file', 'Pass a file.'));
    expect(e.code).toBe('TM_FILE_NOT_FOUND');
    expect(e.message).toBe('TM_FILE_NOT_FOUND: cannot read the request file at /no/such/file.yaml\n  fix: Pass a file.');
    expect(errnoCode(e.cause)).toBe('ENOENT');
    expect(catchTrustmesh(() => readTextFile('/no/such/file.yaml', 'cannot read it')).fix).toBeUndefined();
  });
});

describe('errnoCode', () => {
  it('is the code of a system error, else unknown', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('EACCES');
    expect(errnoCode(new Error('x'))).toBe('unknown');
    expect(errnoCode('EACCES')).toBe('unknown');
    expect(errnoCode(null)).toBe('unknown');
  });
});
