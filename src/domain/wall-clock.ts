/** Wall-clock time in an IANA time zone, from Intl alone (no time-zone library). */

export type WallClock = { year: number; month: number; day: number; minuteOfDay: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

export function wallClockAt(instant: Date, timeZone: string): WallClock & { wallMs: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const [year, month, day, hour, minute, second] = [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!];
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, instant.getUTCMilliseconds());
  return { year, month, day, minuteOfDay: hour * 60 + minute, wallMs };
}

/** How far the zone's wall clock is ahead of UTC at this instant, in milliseconds. */
const offsetAt = (instant: number, timeZone: string): number => wallClockAt(new Date(instant), timeZone).wallMs - instant;

/**
 * The first instant at which the zone's wall clock reads at least `wallMs` (a local time written
 * as if it were UTC). Usually the one instant showing it; on a fall-back day the earlier of two;
 * in a spring-forward gap, the moment the clock jumps past it. The offsets a day either side
 * bracket the answer, since zones change offset at most once a day.
 */
export function firstInstantAtWallTime(wallMs: number, timeZone: string): Date {
  const day = 24 * 60 * 60 * 1000;
  const candidates = [wallMs - offsetAt(wallMs - day, timeZone), wallMs - offsetAt(wallMs + day, timeZone)].sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClockAt(new Date(instant), timeZone).wallMs === wallMs);
  if (exact !== undefined) return new Date(exact);
  // A gap: the wall clock is before wallMs at `low` and past it at `high`; halve down to the millisecond.
  let [low, high] = [candidates[0]!, candidates[1]!];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClockAt(new Date(middle), timeZone).wallMs >= wallMs) high = middle;
    else low = middle;
  }
  return new Date(high);
}
