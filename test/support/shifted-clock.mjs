// Loaded into recur's processes with `node --import` by the fault tests (NODE_OPTIONS): their
// wall clock runs ahead by the milliseconds in RECUR_TEST_CLOCK_OFFSET_FILE, so a recur process
// with real provider keys (which keeps the system clock) stays in step with a sandbox whose clock
// the test moves months ahead. Read again at most every 20 ms, whatever the event loop does.
import { readFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.RECUR_TEST_CLOCK_OFFSET_FILE;
if (file) {
  const RealDate = Date;
  let offset = 0;
  let readAt = -Infinity;
  const shift = () => {
    const real = RealDate.now();
    if (real - readAt > 20) {
      readAt = real;
      try {
        const text = readFileSync(file, 'utf8').trim();
        // An empty or half-written file keeps the offset read before.
        if (/^-?\d+$/.test(text)) offset = Number(text);
      } catch {
        // Gone (the test ended): keep the offset read before.
      }
    }
    return real + offset;
  };
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => (args.length === 0 ? Reflect.construct(target, [shift()], newTarget) : Reflect.construct(target, args, newTarget)),
    apply: () => new RealDate(shift()).toString(),
    get: (target, property, receiver) => (property === 'now' ? shift : Reflect.get(target, property, receiver)),
  });
}
