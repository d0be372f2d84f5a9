import { readFileSync } from 'node:fs';

/** Resident memory of a process in MB, from /proc: now (VmRSS) and its peak so far (VmHWM). */
export function readProcessMemory(pid: number): { rssMb: number; peakMb: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kilobytes('VmRSS') / 1024, peakMb: kilobytes('VmHWM') / 1024 };
}

/**
 * CPU time (user + system) a process has used, in seconds: unlike wall time, it hardly moves when
 * other work shares the machine. /proc counts in clock ticks, 100 a second on Linux.
 */
export function readCpuSeconds(pid: number): number {
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Polls a process's memory so a figure can be read at a moment (idle) and over a stretch (the
 * kernel's VmHWM is the exact peak; the samples also catch a peak if /proc is read late).
 */
export class MemorySampler {
  private timer: NodeJS.Timeout;
  private highestMb = 0;
  private latestMb = Number.NaN;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  private sample(): void {
    const memory = readProcessMemory(this.pid);
    if (!memory) return;
    this.latestMb = memory.rssMb;
    this.highestMb = Math.max(this.highestMb, memory.rssMb, memory.peakMb);
  }

  /** RSS now. */
  current(): number {
    this.sample();
    return this.latestMb;
  }

  /** The highest RSS since the process started. */
  peak(): number {
    this.sample();
    return this.highestMb;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
