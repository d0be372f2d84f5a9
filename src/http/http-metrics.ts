import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { errorJson } from './presenters.ts';

/**
 * Prometheus metrics on a registry of this app's own (never the global one), so two apps in one
 * process, as in tests, do not collide.
 */
export function installHttpMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
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
  const schema = { tags: ['health'], summary: 'Prometheus metrics: process, recur_http_requests_total, recur_http_request_duration_seconds', security: [], response: { 200: exposition, 500: errorJson } };
  app.get('/metrics', { schema }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
