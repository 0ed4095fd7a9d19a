import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { firstUserFrame, isOwnFile, stackFrames, userCallerFrame } from '../../src/private/caller-frame';

const ROOT = path.join(__dirname, '..', '..');

describe('stackFrames', () => {
  it('reads the file:line:col of V8 frames, named or not, file:// URLs included, and skips the message', () => {
    const stack = [
      'Error: There is already a Construct with name \'shop\'',
      '    at Node.addChild (/app/node_modules/constructs/lib/construct.js:466:19)',
      '    at /home/me/app.js:8:3',
      '    at async main (file:///home/me/my%20app.mjs:2:1)',
      '    at JSON.parse (<anonymous>)',
    ].join('\n');
    expect(stackFrames(stack)).toEqual([
      { file: '/app/node_modules/constructs/lib/construct.js', line: 466, column: 19 },
      { file: '/home/me/app.js', line: 8, column: 3 },
      { file: '/home/me/my app.mjs', line: 2, column: 1 },
    ]);
  });
});

describe('firstUserFrame', () => {
  it('skips trustmesh, node_modules and Node.js frames; names a file in the working directory relatively', () => {
    const own = path.join(ROOT, 'src', 'model', 'service-port.ts');
    const user = path.join(process.cwd(), 'app', 'main.ts');
    const stack = [
      'Error: x',
      `    at assertPortNumber (${own}:35:11)`,
      '    at Module._compile (node:internal/modules/cjs/loader:1364:14)',
      '    at Object.<anonymous> (/x/node_modules/cdk8s/lib/app.js:1:1)',
      `    at build (${user}:12:5)`,
    ].join('\n');
    expect(firstUserFrame(stack)).toEqual({ file: path.join('app', 'main.ts'), line: 12, column: 5 });
    expect(firstUserFrame('Error: x\n    at run (node:internal/x:1:1)')).toBeUndefined();
    expect(isOwnFile(own)).toBe(true);
    expect(isOwnFile(user)).toBe(false);
  });

  it('userCallerFrame is the test\'s own line when called from a test', () => {
    const frame = userCallerFrame();
    expect(frame).toMatchObject({ file: path.join('test', 'private', 'caller-frame.test.ts'), line: expect.any(Number) });
  });
});
