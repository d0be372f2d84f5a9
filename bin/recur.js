#!/usr/bin/env -S node --max-semi-space-size=16
// The flag (also in package.json's scripts): V8 on Node 22 and 24 grows its young generation to
// 64 MB semi-spaces under load, which held a PGlite service at ~450 MB while webhooks arrived;
// with 16 MB it peaked at ~360 MB, as fast (ADR 0007).
// recur runs dist/recur.js, compiled from src/ when npm installs it and again, first, whenever a
// source changed since: an edit is never run stale (bin/compiled-cli.js, docs/adr/0012). Where it
// cannot be rebuilt (a read-only install), the TypeScript sources run through tsx, more slowly.
import { pathToFileURL } from 'node:url';
import { buildCompiledCli, compiledCliIsFresh, compiledCliPath } from './compiled-cli.js';

let compiled = compiledCliIsFresh();
if (!compiled) {
  try {
    await buildCompiledCli();
    compiled = true;
  } catch (error) {
    // esbuild's own message starts "Build failed with 1 error:"; its first error says more.
    const first = error?.errors?.[0];
    const reason = first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : String(error?.message ?? error).split('\n')[0];
    process.stderr.write(`recur: could not rebuild dist/recur.js (${reason}); running from the TypeScript sources\n`);
  }
}
if (compiled) {
  // Stack traces name dist/recur.js (each source's code follows a comment naming its .ts file);
  // `node --enable-source-maps` makes them name the .ts files, at ~0.2 s more per start (ADR 0012).
  await import(pathToFileURL(compiledCliPath).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
