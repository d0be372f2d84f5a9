#!/usr/bin/env node
// recur runs from its TypeScript sources through tsx's loader: no build step on install.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
