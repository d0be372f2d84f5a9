import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { sendError } from './error-handler.ts';
import { errorJson } from './presenters.ts';

/**
 * Prometheus metrics on a registry of this app's own (never the global one), so two apps in one
 * process, as in tests, do not collide. They tell the Node version and how business goes, so
 * `/metrics` answers only a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`, and is
 * a 404 while no token is configured.
 */
export function installHttpMetrics(app: FastifyInstance, token: string | undefined, others: readonly Registry[] = []): Registry {
  const own = new Registry();
  const registry = others.length > 0 ? Registry.merge([own, ...others]) : own;
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'recur_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'recur_http_request_duration_seconds',
    help: 'Time from request to response',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would make a series per customer.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  const exposition = z.string().meta({
    contentMediaType: 'text/plain',
    description: "Prometheus' text format",
    examples: ['# HELP recur_http_requests_total HTTP requests answered\n# TYPE recur_http_requests_total counter\nrecur_http_requests_total{method="GET",route="/v1/customers/:id/entitlement",status="200"} 1842\n'],
  });
  const schema = {
    tags: ['health'],
    summary: 'Prometheus metrics: process, recur_http_requests_total, recur_http_request_duration_seconds, recur_webhook_deliveries_total (Authorization: Bearer METRICS_TOKEN; 404 while it is unset)',
    security: [{ metricsToken: [] }],
    response: { 200: exposition, 401: errorJson, 404: errorJson, 500: errorJson },
  };
  app.get('/metrics', { schema }, async (request, reply) => {
    if (!token) return sendError(request, reply, { status: 404, code: 'route_not_found', message: 'no route GET /metrics: set METRICS_TOKEN to serve metrics' });
    if (!isBearer(request.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="recur-metrics"');
      return sendError(request, reply, { status: 401, code: 'unauthorized', message: 'send "Authorization: Bearer <METRICS_TOKEN>"' });
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}

/** Compared as digests, so neither the length nor a prefix of the token shows in the time taken. */
function isBearer(header: string | undefined, token: string): boolean {
  const given = /^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
