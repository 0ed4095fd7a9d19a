/**
 * The import layering of `src/` (docs/architecture.md explains it), as eslint configuration:
 * `import/no-restricted-paths` zones for the folders, `no-restricted-imports` for the packages a
 * layer must not use. `.projenrc.ts` adds them to the generated `.eslintrc.json`; a test lints
 * fixture imports against them.
 */

/** One `import/no-restricted-paths` zone: files under `target` may not import `from`, except `except` (relative to `from`). */
export interface LayerZone {
  readonly target: string | readonly string[];
  readonly from: string | readonly string[];
  readonly except?: readonly string[];
  readonly message: string;
}

/** The leaves every layer may use: the error types and code registry, and the private helpers. */
const BASE = ['./errors.ts', './error-codes.ts', './private'];

/** Files under `src/<folder>` may import only the listed folders of `src/` (and their own). */
function onlyFrom(folder: string, allowed: readonly string[], why: string): LayerZone {
  const except = [...new Set([`./${folder}`, ...allowed])];
  return { target: `./src/${folder}`, from: './src', except, message: `${folder}/ may import only ${why}` };
}

/** Within `src/analysis`, a stage may import only itself and the stages before it. */
function stage(name: string, before: readonly string[]): LayerZone {
  return {
    target: `./src/analysis/${name}`,
    from: './src/analysis',
    except: [`./${name}`, ...before.map((b) => `./${b}`)],
    message: `analysis/${name}/ may import only ${before.length > 0 ? before.map((b) => `analysis/${b}/`).join(', ') : 'nothing else of analysis/'} (config → evaluator → network, convert → access → matrix → diff; analyzer reads config and evaluator; traffic reads config, evaluator and network)`,
  };
}

/** The folder zones. */
export const LAYER_ZONES: readonly LayerZone[] = [
  onlyFrom('private', [...BASE], 'errors (helpers that are never exported)'),
  onlyFrom('semantics', [...BASE], 'errors and private/ (Istio request semantics, shared by model and analysis)'),
  onlyFrom('model', [...BASE, './semantics'], 'semantics/, errors and private/ (the intent model: plain data, no cdk8s)'),
  onlyFrom('render', [...BASE, './model', './semantics'], 'model/, semantics/, errors and private/ (never constructs/ or analysis/)'),
  onlyFrom('pki', [...BASE], 'errors and private/'),
  onlyFrom('validate', [...BASE, './schemas'], 'schemas/, errors and private/'),
  onlyFrom('analysis', [...BASE, './semantics', './model', './validate', './schemas'],
    'semantics/, model/ types, validate/ (manifest checks), errors and private/ (never constructs/ or render/)'),
  onlyFrom('cdk8s-plugin', [...BASE, './analysis', './validate', './semantics', './model'], 'analysis/, validate/, errors and private/'),
  {
    target: './src/constructs',
    from: ['./src/cli', './src/testing', './src/examples', './src/cdk8s-plugin', './src/main.ts'],
    message: 'constructs/ may not import cli/, testing/, examples/ or the plugin',
  },
  {
    target: './src/constructs',
    from: './src/analysis',
    except: ['./analyzer', './config'],
    message: 'constructs/ may import of analysis/ only the linter (analyzer/ and the config/ it reads): the synth\'s analyzer pass on its own output',
  },
  {
    target: './src/testing',
    from: ['./src/cli', './src/examples', './src/main.ts'],
    message: 'testing/ may not import cli/ or examples/',
  },
  {
    target: ['./src/private', './src/semantics', './src/model', './src/render', './src/pki', './src/validate', './src/analysis'],
    from: './imports',
    message: 'the generated L1 classes (imports/) are for constructs/ only',
  },
  stage('config', []),
  stage('evaluator', ['config']),
  stage('network', ['config', 'evaluator']),
  stage('convert', ['config', 'evaluator']),
  stage('access', ['config', 'evaluator', 'network', 'convert']),
  stage('matrix', ['config', 'evaluator', 'network', 'convert', 'access']),
  stage('diff', ['config', 'evaluator', 'network', 'convert', 'access', 'matrix']),
  stage('analyzer', ['config', 'evaluator']),
  stage('traffic', ['config', 'evaluator', 'network']),
];

/** Folders that must not use cdk8s or constructs: what they hold is plain data and functions. */
export const NO_CDK8S = ['src/private/!(located).ts', 'src/semantics/**', 'src/model/**', 'src/analysis/**', 'src/validate/**'];

/** The eslint rules of the layering. */
export function importLayerRules(): Record<string, unknown> {
  return {
    'import/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
  };
}

/** The eslint override that keeps cdk8s out of the plain-data folders. */
export function noCdk8sOverride(): { files: string[]; rules: Record<string, unknown> } {
  const message = 'plain data and functions: no cdk8s here (see docs/architecture.md)';
  return {
    files: [...NO_CDK8S],
    rules: {
      'no-restricted-imports': ['error', { paths: ['cdk8s', 'cdk8s-plus-28', 'constructs'].map((name) => ({ name, message })) }],
    },
  };
}
