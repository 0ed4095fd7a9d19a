/**
 * `tsx projenrc/error-index.ts [out.md]`: writes `docs/errors.md`, the index of every `TM_…` code
 * of the registry (`src/error-codes.ts`) with its summary, and from the source itself where each
 * code is raised and its severity. Run by `npx projen docs:errors`; a test fails when the
 * committed index is stale, and another when the registry and the raised codes differ.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ERROR_CODES } from '../src/error-codes';

/** One place a code is raised. */
interface CodeSite {
  readonly file: string;
  /** Empty when the site does not say. */
  readonly severities: readonly string[];
  readonly message?: string;
}

const CODE = /^TM_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

const SECTIONS: readonly { readonly title: string; readonly dirs: readonly string[] }[] = [
  { title: 'Declaring a mesh (constructs and model)', dirs: ['src/constructs', 'src/model', 'src/semantics', 'src/render', 'src/private', 'src/testing', 'src/examples', 'src/main.ts'] },
  { title: 'Validating manifests', dirs: ['src/validate'] },
  { title: 'CA and certificates', dirs: ['src/pki'] },
  { title: 'Analysis (check, analyze, matrix, diff)', dirs: ['src/analysis', 'src/cdk8s-plugin'] },
  { title: 'Command line', dirs: ['src/cli'] },
];

/** Every `.ts` file under dir, sorted, as `/`-separated paths relative to root. */
function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk(dir);
  return out;
}

/** A string or template literal as text, `…` standing for each substitution. */
function literalText(node: ts.Node | undefined, bindings: ReadonlyMap<string, string> = new Map()): string | undefined {
  if (!node) return undefined;
  const text = (n: ts.Node): string | undefined => literalText(n, bindings);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => `${(ts.isIdentifier(s.expression) && bindings.get(s.expression.text)) || '…'}${s.literal.text}`).join('');
  }
  if (ts.isParenthesizedExpression(node)) return text(node.expression);
  if (ts.isConditionalExpression(node)) return text(node.whenTrue) ?? text(node.whenFalse);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = text(node.left);
    const right = text(node.right);
    return left === undefined && right === undefined ? undefined : `${left ?? '…'}${right ?? '…'}`;
  }
  // A helper that formats its first argument, e.g. detail(`… is not served at this version`, value, allowed).
  if (ts.isCallExpression(node) && node.arguments.length > 0 && !ts.isIdentifier(node.arguments[0])) return text(node.arguments[0]);
  if (ts.isIdentifier(node)) return bindings.get(node.text) ?? parameterArgument(node);
  return undefined;
}

/**
 * The message a helper raises when called with a code first, e.g. `checkLabel(code, 'credential
 * name', name)` throwing `new TrustmeshError(code, \`invalid ${what}\`)`: the helper's message with
 * the call's literal arguments filled in.
 */
function helperMessage(call: ts.CallExpression): string | undefined {
  if (!ts.isIdentifier(call.expression)) return undefined;
  const name = call.expression.text;
  let helper: ts.FunctionDeclaration | undefined;
  const find = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === name) helper = node;
    else if (!helper) ts.forEachChild(node, find);
  };
  find(call.getSourceFile());
  if (!helper?.body) return undefined;
  const bindings = new Map<string, string>();
  helper.parameters.forEach((p, i) => {
    const value = call.arguments[i] && !ts.isIdentifier(call.arguments[i]) ? literalText(call.arguments[i]) : undefined;
    if (ts.isIdentifier(p.name) && value !== undefined) bindings.set(p.name.text, value);
  });
  const codeParameter = helper.parameters[0]?.name;
  let message: string | undefined;
  const visit = (node: ts.Node): void => {
    if (message === undefined && ts.isNewExpression(node) && node.expression.getText() === 'TrustmeshError'
      && node.arguments?.[0] && codeParameter && node.arguments[0].getText() === codeParameter.getText()) {
      message = literalText(node.arguments[1], bindings);
    }
    ts.forEachChild(node, visit);
  };
  visit(helper.body);
  return message;
}

/** Every literal a value may take, e.g. both branches of `used ? 'error' : 'warning'`. */
function literalAlternatives(node: ts.Node | undefined): string[] {
  if (!node) return [];
  if (ts.isParenthesizedExpression(node)) return literalAlternatives(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalAlternatives(node.whenTrue), ...literalAlternatives(node.whenFalse)];
  const text = literalText(node);
  return text === undefined ? [] : [text];
}

/**
 * For an identifier that is a parameter of the enclosing named function (e.g. `summary` in
 * `function corrupt(summary, file)` or `const fail = (field, summary) => …`), the literal passed
 * for it at the first call in the same file that passes one.
 */
function parameterArgument(id: ts.Identifier): string | undefined {
  let fn: ts.Node | undefined = id.parent;
  while (fn && !ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) fn = fn.parent;
  if (!fn) return undefined;
  const f = fn as ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;
  const index = f.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
  if (index < 0) return undefined;
  const name = ts.isFunctionDeclaration(f) ? f.name?.text
    : ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name) ? f.parent.name.text : undefined;
  if (!name) return undefined;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) {
      const arg = node.arguments[index];
      if (arg && !ts.isIdentifier(arg)) found = literalText(arg);
    }
    ts.forEachChild(node, visit);
  };
  visit(id.getSourceFile());
  return found;
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name) return p.initializer;
  }
  return undefined;
}

/** What raising the literal `node` says: `new TrustmeshError(code, message)` or `{ code, severity, message | title }`. */
function siteOf(node: ts.StringLiteral, file: string): CodeSite | undefined {
  // The expression the literal stands in, e.g. all of `kind === 'ca' ? 'TM_CA_EXPIRED' : 'TM_CERT_EXPIRED'`.
  let expression: ts.Node = node;
  while (ts.isConditionalExpression(expression.parent) || ts.isParenthesizedExpression(expression.parent)) expression = expression.parent;
  const parent = expression.parent;
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === expression) {
    const callee = parent.expression.getText();
    if (callee !== 'TrustmeshError' && callee !== 'TrustmeshAggregateError') return undefined;
    return { file, severities: ['error'], message: literalText(parent.arguments[1]) };
  }
  if (ts.isPropertyAssignment(parent) && parent.name.getText() === 'code' && ts.isObjectLiteralExpression(parent.parent)) {
    const object = parent.parent;
    return { file, severities: literalAlternatives(property(object, 'severity')), message: literalText(property(object, 'message') ?? property(object, 'title')) };
  }
  if (ts.isCallExpression(parent) && parent.arguments[0] === expression) {
    // Helpers that take the code first and throw it, e.g. checkLabel('TM_CA_INVALID_CREDENTIAL_NAME', 'credential name', name).
    const message = helperMessage(parent);
    return { file, severities: message === undefined ? [] : ['error'], message };
  }
  return undefined;
}

/** Every code raised under `src/`, with its sites. */
export function collectCodes(root: string): Map<string, CodeSite[]> {
  const codes = new Map<string, CodeSite[]>();
  for (const file of sourceFiles(root, 'src')) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    if (!text.includes("'TM_")) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) && CODE.test(node.text)) {
        const site = siteOf(node, file);
        if (site) codes.set(node.text, [...(codes.get(node.text) ?? []), site]);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return codes;
}

function sectionOf(file: string): number {
  const i = SECTIONS.findIndex((s) => s.dirs.some((d) => file === d || file.startsWith(`${d}/`)));
  return i < 0 ? 0 : i;
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\s+/g, ' ').trim();
}

/**
 * The Markdown of `docs/errors.md`: every code of the registry with its summary, and the severity
 * and files of the sites {@link collectCodes} finds (or was given).
 */
export function renderErrorIndex(root: string, codes: ReadonlyMap<string, readonly CodeSite[]> = collectCodes(root),
  registry: Readonly<Record<string, string>> = ERROR_CODES): string {
  const bySection = SECTIONS.map(() => [] as string[]);
  for (const code of Object.keys(registry).sort()) {
    const sites = codes.get(code) ?? [];
    const files = [...new Set(sites.map((s) => s.file))].sort();
    const severities = [...new Set(sites.flatMap((s) => s.severities))].sort();
    bySection[files.length > 0 ? sectionOf(files[0]) : 0].push(
      `| \`${code}\` | ${severities.join(', ') || 'error'} | ${cell(registry[code])} | ${files.map((f) => `\`${f}\``).join(', ') || '—'} |`);
  }
  const out = [
    '# Error and diagnostic codes',
    '',
    '<!-- Generated from src/ by `npx projen docs:errors`; a test fails when it is stale. Do not edit by hand. -->',
    '',
    'Every user-facing problem carries a stable `TM_…` code: errors thrown at once for bad input,',
    'whole-graph errors and warnings at synth, and the analyzer\'s findings (which also name the matching',
    'istioctl `IST` or Kiali `KIA` code; see [analyzer.md](analyzer.md)). The full message says what is wrong,',
    'where (construct path or file:line:column), the value received, what is allowed and how to fix it.',
    'The summaries below are the registry `src/error-codes.ts` (`…` stands for details the message fills',
    'in); a misspelled code does not compile. Every code is raised in `src/` and asserted by at least one test.',
    '',
    'Exit codes of the CLI: `0` success, `1` findings (analyzer errors, `diff --fail-on`, broken chains), `2` bad input or usage, `70` internal errors.',
  ];
  SECTIONS.forEach((section, i) => {
    if (bySection[i].length === 0) return;
    out.push('', `## ${section.title}`, '', '| Code | Severity | Summary | Raised in |', '|---|---|---|---|', ...bySection[i]);
  });
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const output = process.argv[2] ?? path.join(root, 'docs', 'errors.md');
  const codes = collectCodes(root);
  fs.writeFileSync(output, renderErrorIndex(root, codes));
  process.stdout.write(`${path.relative(root, output)}: ${codes.size} codes\n`);
}
