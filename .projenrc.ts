import { javascript, JsonFile, typescript } from 'projen';
import { importLayerRules, noCdk8sOverride } from './projenrc/import-layers';

// The Istio release whose CRDs we import and validate against. The CRD file lives beside the
// repository in ../shared (never copied in); the generated L1 classes and schemas are committed.
const ISTIO_CRD_FILE = '../shared/istio/crd-all-1.30.3.gen.yaml';
// The legacy target (Istio 1.0–1.4): its kinds are imported from Istio 1.5's CRD file, the last
// release that shipped authentication.istio.io and rbac.istio.io (projenrc/legacy-crds.ts keeps them
// and networking v1alpha3; cdk8s writes them to imports/legacy-<group>.ts).
const LEGACY_CRD_FILE = '../shared/istio/crd-all-1.5.10.gen.yaml';
const LEGACY_CRD_SUBSET = 'imports/istio-1.5.10-legacy-crds.yaml';

const project = new typescript.TypeScriptProject({
  name: 'trustmesh',
  packageName: 'trustmesh',
  description: 'Mesh policy as code: typed trust intentions on cdk8s, synthesized to Istio security CRDs, CA bootstrap and reference workloads, then proven offline.',
  license: 'Apache-2.0',
  copyrightOwner: 'trustmesh authors',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.9.3',

  // vitest instead of jest (projen has no built-in vitest component; see projen/projen#4329).
  jest: false,
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
  package: false,

  peerDeps: ['cdk8s@^2.70.0', 'constructs@^10.4.0', 'cdk8s-plus-28@^2.5.6'],
  peerDependencyOptions: { pinnedDevDependency: false },
  deps: [
    '@bufbuild/cel@^0.6.1',
    '@peculiar/x509@^2.2.0',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'commander@^14.0.0',
    'js-yaml@^4.1.0',
    'kubernetes-models@~4.5.1',
    'reflect-metadata@^0.2.2',
    'yaml@^2.8.0',
    // RE2 syntax for VirtualService regex matches, as istiod checks them with Go's regexp.
    're2js@^2.10.0',
  ],
  devDeps: [
    '@types/js-yaml@^4',
    '@types/node@^20',
    'cdk8s@^2.70.106',
    'cdk8s-plus-28@^2.5.6',
    'constructs@^10.8.1',
    '@vitest/coverage-v8@^4',
    'cdk8s-cli@^2.200.0',
    'fast-check@^4.3.0',
    'tsx@^4.20.0',
    'vitest@^4',
  ],
  bin: { trustmesh: 'lib/src/cli/main.js' },
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',

  tsconfig: {
    include: ['src/**/*.ts', 'imports/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'lib',
      target: 'ES2022',
      lib: ['es2022'],
      skipLibCheck: true,
      resolveJsonModule: true,
      esModuleInterop: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
    },
  },
  tsconfigDev: {
    include: ['src/**/*.ts', 'imports/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts', 'vitest.config.mts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'bench', 'projenrc'],
    ignorePatterns: ['imports/', 'lib/', 'dist/', 'node_modules/', '*.d.ts', '*.js'],
  },
  gitignore: [
    '/dist/',
    // A worktree's node_modules may be a symlink, which `/node_modules/` does not match.
    '/node_modules',
    '/.trustmesh/',
    '/dist-secrets/',
    '/bench/results.json',
    '/coverage/',
    '*.cpuprofile',
    // Recorded access logs are test fixtures (the default `*.log` rule would drop them from git).
    '!/test/fixtures/**/*.log',
  ],
});

for (const pattern of ['/bench/', '/test/', '/.trustmesh/', '/dist/', '/dist-secrets/']) {
  project.addPackageIgnore(pattern);
}

// The registry this project installs from has every platform binding of unrs-resolver (an
// optional dependency of eslint's TypeScript import resolver) for 1.12.2 but not for 1.13.x; a
// lock file with missing optional entries makes `npm ci` fail on a fresh clone.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The package also exports a testing entry point for users' own vitest suites.
project.package.addField('exports', {
  '.': { types: './lib/src/index.d.ts', default: './lib/src/index.js' },
  './testing': { types: './lib/src/testing/index.d.ts', default: './lib/src/testing/index.js' },
  './package.json': './package.json',
});

// Tests run against compiled output too (the CLI is exercised as a real child process).
project.testTask.reset();
project.testTask.spawn(project.compileTask);
project.testTask.exec('vitest run', { receiveArgs: true });
project.testTask.spawn(project.tasks.tryFind('eslint')!);
project.addTask('test:watch', { description: 'Run vitest in watch mode', exec: 'vitest' });
project.addTask('test:update', { description: 'Update vitest snapshots', exec: 'vitest run -u' });

// `cdk8s import` is run by hand (it reads ../shared); the output is committed under imports/.
project.addTask('import', {
  description: `Regenerate imports/ (L1 classes) and src/schemas/ (schemas, parsed CEL rules) from ${ISTIO_CRD_FILE} and ${LEGACY_CRD_FILE}`,
  steps: [
    { exec: `cdk8s import --language typescript --output imports ${ISTIO_CRD_FILE}` },
    { exec: `tsx projenrc/extract-crd-schemas.ts ${ISTIO_CRD_FILE} src/schemas/istio-crds.generated.json` },
    { exec: `tsx projenrc/legacy-crds.ts ${LEGACY_CRD_FILE} ${LEGACY_CRD_SUBSET}` },
    { exec: `cdk8s import --no-save --language typescript --output imports legacy:=${LEGACY_CRD_SUBSET}` },
    { exec: `tsx projenrc/extract-crd-schemas.ts ${LEGACY_CRD_SUBSET} src/schemas/istio-legacy-crds.generated.json` },
    { exec: `rm ${LEGACY_CRD_SUBSET}` },
    // CEL's parser is slow while cold: the bundled rules are parsed here, not on every run (src/validate/cel-precompiled.ts).
    { exec: 'tsx projenrc/precompile-cel.ts src/schemas/istio-cel.generated.json src/schemas/istio-crds.generated.json src/schemas/istio-legacy-crds.generated.json' },
  ],
});

// docs/errors.md is generated from the codes in src/ (a test fails when it is stale).
project.addTask('docs:errors', {
  description: 'Regenerate docs/errors.md, the index of every TM_ code, from src/',
  exec: 'tsx projenrc/error-index.ts',
});

// The README's first command: synthesize the bundled example meshes into dist/.
project.addTask('synth', {
  description: 'Synthesize the bundled example meshes into dist/ (secrets into .trustmesh/)',
  steps: [
    { spawn: 'compile' },
    // Creates the example clusters' CA material once; later runs keep it (never regenerated).
    {
      exec: 'node lib/src/cli/main.js ca init --cluster bookinfo --cluster foo-httpbin --cluster micro-shake-factory '
        + '--cluster micro-shake-factory-mutual --cluster micro-shake-factory-passthrough '
        + '--cluster micro-shake-factory-istio-1-4 --cluster bookinfo-istio-1-0',
    },
    // The juice-shop gateway's server certificates (kept when they exist with the same parameters).
    { exec: 'node lib/src/cli/main.js ca issue gateway --name juice-shop --host juice-shop.istio-succinctly.io --cluster micro-shake-factory' },
    { exec: 'node lib/src/cli/main.js ca issue gateway --name juice-shop-mutual --host juice-shop.istio-succinctly.io --cluster micro-shake-factory-mutual' },
    { exec: 'node lib/src/cli/main.js ca issue gateway --name juice-shop-istio-1-4 --host juice-shop.istio-succinctly.io --cluster micro-shake-factory-istio-1-4' },
    // Not `cdk8s synth`: it deletes dist/ before the app runs; our app stages its output and
    // swaps it into place only when everything validated.
    { exec: 'node lib/src/main.js' },
  ],
});

// The benchmark is type-checked and linted like the tests (eslint's project service needs a tsconfig
// next to the files).
new JsonFile(project, 'bench/tsconfig.json', {
  obj: { extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..' }, include: ['**/*.ts'] },
});

project.addTask('bench', {
  description: 'Large-mesh benchmark; prints a table and writes bench/results.json',
  steps: [
    { spawn: 'compile' },
    { exec: 'node --expose-gc --max-old-space-size=8192 --import tsx bench/run.ts', receiveArgs: true },
  ],
});

// Imports follow the layering of docs/architecture.md (projenrc/import-layers.ts).
project.eslint!.addRules(importLayerRules());
project.eslint!.addOverride(noCdk8sOverride());

project.synth();
