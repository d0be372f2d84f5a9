import type { LookupFunction } from 'node:net';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { toStorableText } from '../../shared/storable-text.ts';
import type { CheckedTarget } from './check-webhook-target.ts';

/** What is read of an answer at most; the rest is not waited for. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** What of it is kept in the delivery log. */
export const ANSWER_EXCERPT_CHARS = 1000;

export type PostOutcome = { kind: 'answered'; status: number; excerpt: string; latencyMs: number } | { kind: 'no-answer'; error: string; latencyMs: number };

/**
 * One POST to the shop's endpoint, connected to the address that was checked (the lookup is
 * answered with it, so no second resolution can point the request elsewhere; TLS still checks the
 * URL's host name). Redirects are not followed: a 3xx is just an answer. The whole exchange, connect
 * to last byte read, has `timeoutMs`.
 */
export function postToEndpoint(target: CheckedTarget, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = send(target.url, {
      method: 'POST',
      agent: false,
      lookup: pinned,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'recur-webhooks/1' },
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ kind: 'no-answer', error: `no answer within ${timeoutMs} ms`, latencyMs: latency() });
    }, timeoutMs);
    request.on('error', (error) => finish({ kind: 'no-answer', error: describeError(error), latencyMs: latency() }));
    request.on('response', (response) => {
      readCapped(response).then((excerpt) => {
        finish({ kind: 'answered', status: response.statusCode ?? 0, excerpt, latencyMs: latency() });
        response.destroy();
      }, (error: Error) => finish({ kind: 'no-answer', error: describeError(error), latencyMs: latency() }));
    });
    request.end(body);
  });
}

function readCapped(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(toStorableText(Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_EXCERPT_CHARS)));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ANSWER_BYTES) done();
    });
    response.on('end', done);
    response.on('error', reject);
  });
}

const describeError = (error: Error): string => {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
};
