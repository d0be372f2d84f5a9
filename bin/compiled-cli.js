// The recur command compiled from its TypeScript sources into one JavaScript file, dist/recur.js,
// and whether that file still matches the sources. Loading ~250 TypeScript files through tsx cost
// ~2 s of CPU and ~80 MB on every start; the compiled file loads in half a second (docs/adr/0012).
//
//   node bin/compiled-cli.js      builds it (npm runs this on install: the `prepare` script)
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
export const compiledCliPath = join(root, 'dist', 'recur.js');
const inputsPath = join(root, 'dist', 'recur.inputs.json');
// Besides every bundled source, what else decides the output. npm rewrites its record of the
// installed tree (node_modules/.package-lock.json) on every install, update or removal: one file
// stands for the ~900 bundled files of the dependencies, whose times are not worth a stat each.
const buildFiles = ['bin/compiled-cli.js', 'tsconfig.json', 'package.json'];
const installedTree = 'node_modules/.package-lock.json';

/**
 * Dependencies that stay in node_modules, loaded from there as they are, because they find files
 * beside themselves: PGlite its WebAssembly and data files, the docs page its static assets,
 * @fastify/swagger its package.json, pino its worker files, Twilio's SDK is loaded by
 * `createRequire` at the first SMS; the X.509 library (and its metadata polyfill) only when the
 * PayPal sandbox makes its certificate authority at a first start, so it is not parsed at every
 * start. Everything else is bundled: resolving and reading ~900 files
 * of CommonJS cost a restart ~0.3 s of CPU (docs/adr/0012).
 */
export const unbundledPackages = ['@electric-sql/pglite', '@fastify/swagger', '@fastify/swagger-ui', 'pino', 'twilio', '@peculiar/x509', 'reflect-metadata'];

/** Size and modification time (ns) of each file, relative to the repository; "absent" for none. */
function fingerprint(files) {
  return Object.fromEntries(
    files.map((file) => {
      const stats = statSync(join(root, file), { bigint: true, throwIfNoEntry: false });
      return [file, stats ? `${stats.size}:${stats.mtimeNs}` : 'absent'];
    }),
  );
}

/**
 * True when dist/recur.js was built from exactly the files now on disk: every input it recorded
 * still has the size and modification time it had then (a few ms for ~270 files). An edited,
 * added-and-imported or deleted source makes it stale.
 */
export function compiledCliIsFresh() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsPath, 'utf8')).inputs;
    statSync(compiledCliPath);
  } catch {
    return false;
  }
  try {
    const now = fingerprint(Object.keys(recorded));
    return Object.keys(recorded).every((file) => now[file] === recorded[file]);
  } catch {
    return false;
  }
}

/**
 * Each source's own `import.meta.url`, as seen from dist/: files read beside a source (migrations,
 * the shipped PGlite cluster, the sandbox's specifications, package.json) are found where they are.
 */
const keepSourceLocations = {
  name: 'keep-source-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromCompiled = relative(dirname(compiledCliPath), args.path).split(sep).join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromCompiled)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/**
 * Builds dist/recur.js with the dependencies but `unbundledPackages`, and its source map (read only
 * under `node --enable-source-maps`), and records its inputs. Several processes may build at once:
 * each file is written aside and renamed into place, the list of inputs last.
 */
export async function buildCompiledCli() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli.ts'],
    outfile: compiledCliPath,
    write: false,
    bundle: true,
    external: unbundledPackages,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepSourceLocations],
    // Bundled CommonJS modules call require() for Node's built-in modules; an ES module has none.
    banner: { js: "import { createRequire as createRequireForBundledModules } from 'node:module';\nconst require = createRequireForBundledModules(import.meta.url);" },
  });
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === compiledCliPath) - Number(b.path === compiledCliPath));
  for (const file of files) replaceFile(file.path, file.contents);
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.split('/').includes('node_modules'));
  replaceFile(inputsPath, JSON.stringify({ inputs: fingerprint([...sources, ...buildFiles, installedTree]) }));
}

function replaceFile(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const aside = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(aside, contents);
    renameSync(aside, path);
  } finally {
    rmSync(aside, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCompiledCli();
