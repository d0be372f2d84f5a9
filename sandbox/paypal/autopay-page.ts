import type { FastifyInstance } from 'fastify';

/**
 * A stand-in for the page in a PayPal account where the payer manages automatic payments (and
 * changes the card or bank behind them). PayPal's real page has no way back to the merchant; this
 * one only says where the payer is. The fix-funding control route changes what a test payer's
 * charges do.
 */
export function registerAutopayPage(app: FastifyInstance): void {
  app.get('/paypal/myaccount/autopay/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Automatic payments - recur PayPal sandbox</title></head><body>
<p>recur PayPal sandbox - test mode, no real money moves</p>
<h1>Automatic payments</h1>
<p>Here a PayPal payer chooses the card or bank account that pays their subscriptions. Go back to the merchant when done.</p>
</body></html>`),
  );
}
