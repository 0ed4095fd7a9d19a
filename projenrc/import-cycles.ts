/**
 * Runtime import cycles of `src/`, computed from the source: each file is transpiled as the
 * compiler would emit it (imports used only as types disappear), its relative `require`s are the
 * edges, and every strongly connected component with more than one file (or a file requiring
 * itself) is a cycle. `import/no-cycle` would do this in eslint, at about twice the lint time.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** File (relative to the root, `/`-separated) → the files it requires at run time. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
}

/** The runtime import graph of every `.ts` file under `dir` (relative to `root`). */
export function runtimeImportGraph(root: string, dir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');
  for (const file of sourceFiles(path.join(root, dir))) {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    }).outputText;
    const targets = [...js.matchAll(/\brequire\("(\.[^"]+)"\)/g)]
      .map((m) => resolve(file, m[1]))
      .filter((t): t is string => t !== undefined)
      .map(rel);
    graph.set(rel(file), [...new Set(targets)].sort());
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components with more than one node, or a node on a self-loop (Tarjan). */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
