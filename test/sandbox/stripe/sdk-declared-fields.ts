import { createRequire } from 'node:module';
import ts from 'typescript';

/**
 * Reads the `stripe` package's own type declarations (the API version it pins) with the
 * TypeScript compiler, to check objects the sandbox serves against them at run time: a field
 * the pinned version removed (`invoice.subscription`) is reported wherever it appears.
 */
export type DeclaredFields = {
  /** Paths of `value` whose field the named SDK type (`Invoice`, `Checkout.Session`) does not declare, at any depth. */
  undeclared(typeName: string, value: unknown): string[];
};

const MAX_DEPTH = 8;

export function readDeclaredFields(typeNames: readonly string[]): DeclaredFields {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('stripe');
  const source = [`import type Stripe from 'stripe';`, 'export type Subjects = {', ...typeNames.map((name) => `  '${name}': Stripe.${name};`), '};'].join('\n');
  const fileName = entry.replace(/[^/\\]+$/, '') + '__declared_fields__.ts';
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, version) => (name === fileName ? ts.createSourceFile(name, source, version) : getSourceFile(name, version));
  const program = ts.createProgram([fileName], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(fileName)!;
  const alias = file.statements.find(ts.isTypeAliasDeclaration)!;
  const subjects = checker.getTypeAtLocation(alias.name);

  const constituents = (type: ts.Type): ts.Type[] => (type.isUnion() ? type.types : [type]);
  const objectMembers = (type: ts.Type) => constituents(type).filter((member) => (member.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(member));
  const elementTypes = (type: ts.Type) => constituents(type).filter((member) => checker.isArrayType(member)).map((member) => checker.getTypeArguments(member as ts.TypeReference)[0]!);

  function walk(type: ts.Type, value: unknown, path: string, found: string[], depth: number): void {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      const [element] = elementTypes(type);
      if (element) value.forEach((item, index) => walk(element, item, `${path}[${index}]`, found, depth + 1));
      return;
    }
    const members = objectMembers(type);
    // Free-form hashes (metadata) and types the SDK leaves open declare no fixed set of fields.
    if (members.length === 0 || members.some((member) => checker.getIndexInfosOfType(member).length > 0)) return;
    for (const [key, child] of Object.entries(value)) {
      const declaring = members.map((member) => member.getProperty(key)).filter((symbol): symbol is ts.Symbol => symbol !== undefined);
      if (declaring.length === 0) {
        found.push(`${path}.${key}`);
        continue;
      }
      // Inside a union of several shapes the right one is not known: only an unambiguous field is followed.
      if (declaring.length === 1) walk(checker.getTypeOfSymbol(declaring[0]!), child, `${path}.${key}`, found, depth + 1);
    }
  }

  return {
    undeclared(typeName, value) {
      const symbol = subjects.getProperty(typeName);
      if (!symbol) throw new Error(`no Stripe.${typeName} in the declarations`);
      const type = checker.getTypeOfSymbol(symbol);
      if (objectMembers(type).length === 0) throw new Error(`Stripe.${typeName} did not resolve to an object type`);
      const found: string[] = [];
      walk(type, value, typeName, found, 0);
      return found;
    },
  };
}
