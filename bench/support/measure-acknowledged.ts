import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadReport } from './load-generator.ts';
import { processCpuSeconds } from './process-cpu.ts';
import type { Target } from './targets.ts';

const generatorScript = join(fileURLToPath(new URL('.', import.meta.url)), 'load-generator.ts');

export type LoadSettings = { secret: string; connections: number; warmupSeconds: number; seconds: number };

/** The load figures and, beside them, the CPU share (of one core) the server used during the measured run. */
export type Acknowledged = LoadReport & { serverCpu: number | null };

/** The load generator in its own process: `prefix` keeps each run's event ids unique. */
function runGenerator(target: Target, settings: LoadSettings, prefix: string, seconds: number): Promise<LoadReport> {
  const signing = target.paypalSigner ? [target.paypalSigner, 'paypal'] : [settings.secret, 'stripe'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', generatorScript, target.url, signing[0]!, prefix, String(seconds), String(settings.connections), signing[1]!], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.once('exit', (code) => {
      const line = output.trim().split('\n').at(-1);
      if (code !== 0 || !line) return reject(new Error(`the load generator exited with ${code}: ${errors}`));
      resolve(JSON.parse(line) as LoadReport);
    });
  });
}

/** Warm-up, then the measured run, against a started target. */
export async function measureAcknowledged(target: Target, settings: LoadSettings, label: string): Promise<Acknowledged> {
  await runGenerator(target, settings, `${label}_warm`, settings.warmupSeconds);
  const cpuBefore = processCpuSeconds(target.pid);
  const startedAt = performance.now();
  const report = await runGenerator(target, settings, label, settings.seconds);
  const cpuAfter = processCpuSeconds(target.pid);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  return { ...report, serverCpu: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / wallSeconds };
}
