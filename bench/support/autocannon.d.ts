// The part of autocannon's API the benches use (it ships no types of its own).
declare module 'autocannon' {
  type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  type Options = { url: string; connections?: number; duration?: number; headers?: Record<string, string>; requests?: { setupRequest?: (request: Request) => Request }[] };
  type Histogram = { average: number; p50: number; p99: number };
  type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; statusCodeStats: Record<string, { count: number }> };
  function autocannon(options: Options): Promise<Result>;
  namespace autocannon {
    export type { Result };
  }
  export default autocannon;
}
