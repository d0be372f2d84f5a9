import type { DestinationStream } from 'pino';

const LEVELS: Record<number, { name: string; colour: number }> = {
  10: { name: 'TRACE', colour: 90 },
  20: { name: 'DEBUG', colour: 36 },
  30: { name: 'INFO ', colour: 32 },
  40: { name: 'WARN ', colour: 33 },
  50: { name: 'ERROR', colour: 31 },
  60: { name: 'FATAL', colour: 35 },
};
/** Fields every line has, or that the line shows in its own words. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'service', 'err', 'method', 'path', 'route', 'status', 'ms']);

export type PrettyLogOptions = { colour: boolean };

/**
 * Readable lines for a person at a terminal: `18:02:11 INFO  GET /v1/plans 200 3 ms  requestId=…`.
 * pino has already serialized and redacted each record, so what is shown here is what the JSON
 * would have said, secrets included as `[redacted]`.
 */
export function createPrettyLogStream(out: { write(text: string): unknown }, options: PrettyLogOptions): DestinationStream {
  return { write: (line: string) => void out.write(formatLogLine(line, options)) };
}

export function formatLogLine(line: string, { colour }: PrettyLogOptions): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = LEVELS[Number(record.level)] ?? { name: String(record.level), colour: 0 };
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const request = typeof record.method === 'string' ? `${record.method} ${String(record.path ?? record.route)} ${String(record.status)} ${String(record.ms)} ms` : null;
  const message = [request ?? record.msg, request && record.msg !== 'request' ? record.msg : null].filter(Boolean).join('  ');
  const details = Object.entries(record)
    .filter(([key, value]) => !SHOWN_ELSEWHERE.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const error = describeError(record.err);
  const head = `${paint(90, time)} ${paint(level.colour, level.name)} ${String(message)}${details.length > 0 ? `  ${paint(90, details.join(' '))}` : ''}`;
  return `${head}${error ? `\n${error}` : ''}\n`;
}

function describeError(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const { message, stack } = err as { message?: unknown; stack?: unknown };
  const text = typeof stack === 'string' ? stack : String(message);
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
