import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paypalIds } from './ids.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredProduct } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { idempotentPost, parseBody } from './wire.ts';

const productBody = z.object({
  id: z.string().min(6).max(50).optional(),
  name: z.string().min(1).max(127),
  description: z.string().min(1).max(256).optional(),
  type: z.enum(['PHYSICAL', 'DIGITAL', 'SERVICE']).default('PHYSICAL'),
  category: z.string().min(4).max(256).optional(),
  image_url: z.string().min(1).max(2000).optional(),
  home_url: z.string().min(1).max(2000).optional(),
});

export function productObject(rt: PaypalRuntime, product: StoredProduct): Record<string, unknown> {
  return { ...product, links: [{ href: `${rt.apiBase()}/v1/catalogs/products/${product.id}`, rel: 'self', method: 'GET' }] };
}

/** Catalog Products v1: create, get, list (pages of `page_size`). */
export function registerCatalogRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  idempotentPost(api, rt, '/v1/catalogs/products', (request) => {
    const body = parseBody(productBody, request.body);
    const id = body.id ?? paypalIds.product();
    if (rt.data.products[id]) throw paypalErrors.unprocessable('DUPLICATE_RESOURCE_IDENTIFIER', 'A resource with the specified identifier already exists.');
    const now = rt.nowIso();
    const product: StoredProduct = { ...body, id, create_time: now, update_time: now };
    rt.data.products[id] = product;
    return { status: 201, body: productObject(rt, product) };
  });

  api.get<{ Params: { id: string } }>('/v1/catalogs/products/:id', async (request) => {
    const product = rt.data.products[request.params.id];
    if (!product) throw paypalErrors.notFound('product');
    return productObject(rt, product);
  });

  api.get<{ Querystring: { page_size?: string; page?: string; total_required?: string } }>('/v1/catalogs/products', async (request) => {
    const { items, page, totalPages, total } = paginate(Object.values(rt.data.products), request.query);
    return {
      products: items.map((product) => ({ id: product.id, name: product.name, ...(product.description ? { description: product.description } : {}), create_time: product.create_time, links: productObject(rt, product).links })),
      ...(request.query.total_required === 'true' ? { total_items: total, total_pages: totalPages } : {}),
      links: [{ href: `${rt.apiBase()}/v1/catalogs/products?page_size=${request.query.page_size ?? 10}&page=${page}`, rel: 'self', method: 'GET' }],
    };
  });
}

/** PayPal's page_size / page (1-based) over objects in creation order. */
export function paginate<T>(all: T[], query: { page_size?: string; page?: string }): { items: T[]; page: number; totalPages: number; total: number } {
  const size = Math.min(Math.max(Number(query.page_size ?? 10) || 10, 1), 20);
  const page = Math.max(Number(query.page ?? 1) || 1, 1);
  return { items: all.slice((page - 1) * size, page * size), page, totalPages: Math.max(Math.ceil(all.length / size), 1), total: all.length };
}
