import * as fs from 'fs';
import * as path from 'path';

let cached: { name: string; version: string } | undefined;

/**
 * The trustmesh package.json, found by walking up from this file. Works both from `src/` (tests,
 * tsx) and from the compiled `lib/src/`.
 */
export function packageInfo(): { name: string; version: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'trustmesh') {
        cached = { name: pkg.name, version: pkg.version ?? '0.0.0' };
        return cached;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { name: 'trustmesh', version: '0.0.0' };
    dir = parent;
  }
}
