import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** The client package of this checkout (not whatever `@recur/client` resolves to from elsewhere). */
export const clientPackageDir = fileURLToPath(new URL('../../packages/client/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
/** tsx's loader by its path, for a child whose working directory has no node_modules. */
export const tsxLoader = pathToFileURL(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url))).href;

export const run = promisify(execFile);

/** `npm run build -w @recur/client`, as its package.json says: tsc into dist/, with the generated types beside. */
export async function buildClientPackage(): Promise<void> {
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: clientPackageDir });
  await run(process.execPath, ['-e', "require('node:fs').copyFileSync('src/schema.d.ts', 'dist/schema.d.ts')"], { cwd: clientPackageDir });
}

/** Type-checks a folder of TypeScript with the given config, as a shop's build would. */
export async function typeCheck(dir: string): Promise<void> {
  try {
    await run(process.execPath, [tsc, '-p', dir], { cwd: dir });
  } catch (error) {
    // tsc reports on stdout.
    throw new Error(`tsc -p ${dir} failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
  }
}
