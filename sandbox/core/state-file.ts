import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxClock } from './sandbox-clock.ts';
import type { SandboxProvider } from './sandbox-provider.ts';

const FORMAT_VERSION = 1;

type StateDocument = { version: number; clock: string; providers: Record<string, unknown> };

/**
 * Keeps the sandbox's state in one JSON file, so a demo survives a restart: read at start,
 * written (whole, through a temporary file and a rename, so a crash never leaves half a file)
 * shortly after every change and at stop. The file holds customers' addresses and messages, so
 * it is the owner's alone (0600, a new directory 0700).
 */
export class StateFile {
  private timer: NodeJS.Timeout | null = null;
  // Only what changed is written at stop: a process that loaded the file and then failed to start
  // must not overwrite what a running one wrote since.
  private changed = false;

  constructor(
    private readonly path: string,
    private readonly clock: SandboxClock,
    private readonly providers: readonly SandboxProvider[],
  ) {}

  /** Restores what the file holds; returns false when there is no file yet. */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    let document: StateDocument;
    try {
      document = JSON.parse(readFileSync(this.path, 'utf8')) as StateDocument;
    } catch (error) {
      throw new Error(`sandbox state file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    if (document.version !== FORMAT_VERSION) throw new Error(`sandbox state file ${this.path} has format ${document.version}, expected ${FORMAT_VERSION}`);
    const saved = new Date(document.clock);
    if (saved.getTime() > this.clock.now().getTime()) this.clock.set(saved);
    for (const provider of this.providers) {
      if (provider.name in document.providers) provider.restore(document.providers[provider.name]);
    }
    return true;
  }

  /** Something changed that is not worth a write of its own; it is written with the next one or at stop. */
  markChanged(): void {
    this.changed = true;
  }

  /** Coalesces a burst of changes into one write. */
  scheduleSave(delayMs = 200): void {
    this.changed = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save();
    }, delayMs);
  }

  saveIfChanged(): void {
    if (this.changed) this.save();
  }

  save(): void {
    this.changed = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const document: StateDocument = {
      version: FORMAT_VERSION,
      clock: this.clock.now().toISOString(),
      providers: Object.fromEntries(this.providers.map((provider) => [provider.name, provider.snapshot()])),
    };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(document), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
