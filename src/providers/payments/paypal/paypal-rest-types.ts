/**
 * The parts of PayPal's wire format that recur reads for the APIs the official SDK does not cover,
 * typed from PayPal's OpenAPI specifications (catalogs_products_v1, customer_disputes_v1,
 * notifications_webhooks_v1). Optional where the spec does not require a field.
 */
export type PaypalMoney = { currency_code: string; value: string };
export type PaypalLink = { href: string; rel: string; method?: string };

export type PaypalProductType = 'PHYSICAL' | 'DIGITAL' | 'SERVICE';

/** `product_request_POST`. */
export type PaypalNewProduct = { id?: string; name: string; description?: string; type: PaypalProductType; category?: string; image_url?: string; home_url?: string };

/** `product`. */
export type PaypalProduct = PaypalNewProduct & { id: string; create_time?: string; update_time?: string; links?: PaypalLink[] };

/** `product_collection`: list elements carry only id, name, description, create_time and links. */
export type PaypalProductCollection = {
  products?: { id: string; name?: string; description?: string; create_time?: string; links?: PaypalLink[] }[];
  total_items?: number;
  total_pages?: number;
  links?: PaypalLink[];
};

export type PaypalDisputeStatus = 'OPEN' | 'WAITING_FOR_BUYER_RESPONSE' | 'WAITING_FOR_SELLER_RESPONSE' | 'UNDER_REVIEW' | 'RESOLVED' | 'OTHER';
export type PaypalDisputeOutcomeCode = 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR' | 'RESOLVED_WITH_PAYOUT' | 'CANCELED_BY_BUYER' | 'ACCEPTED' | 'DENIED' | 'NONE';
export type PaypalDisputeState = 'OPEN_INQUIRIES' | 'REQUIRED_ACTION' | 'REQUIRED_OTHER_PARTY_ACTION' | 'UNDER_PAYPAL_REVIEW' | 'APPEALABLE' | 'RESOLVED';

/** `transaction_info`. */
export type PaypalDisputedTransaction = {
  buyer_transaction_id?: string;
  seller_transaction_id?: string;
  reference_id?: string;
  create_time?: string;
  transaction_status?: string;
  gross_amount?: PaypalMoney;
  invoice_number?: string;
  custom?: string;
};

/** `dispute`. */
export type PaypalDispute = {
  dispute_id: string;
  create_time?: string;
  update_time?: string;
  disputed_transactions?: PaypalDisputedTransaction[];
  reason?: string;
  status?: PaypalDisputeStatus | string;
  dispute_amount?: PaypalMoney;
  dispute_outcome?: { outcome_code?: PaypalDisputeOutcomeCode | string; amount_refunded?: PaypalMoney };
  dispute_life_cycle_stage?: string;
  dispute_channel?: string;
  seller_response_due_date?: string;
  buyer_response_due_date?: string;
  links?: PaypalLink[];
};

/** `dispute_info`: one element of a dispute list. */
export type PaypalDisputeSummary = Pick<PaypalDispute, 'dispute_id' | 'create_time' | 'update_time' | 'reason' | 'status' | 'dispute_amount' | 'dispute_life_cycle_stage' | 'dispute_channel' | 'seller_response_due_date' | 'buyer_response_due_date' | 'links'> & {
  dispute_state?: PaypalDisputeState | string;
};

/** `dispute_search`. */
export type PaypalDisputeSearch = { items?: PaypalDisputeSummary[]; links?: PaypalLink[] };

/** `subsequent_action`. */
export type PaypalSubsequentAction = { links?: PaypalLink[] };

/** `verify_webhook_signature_response`. */
export type PaypalVerifyWebhookSignatureResponse = { verification_status: 'SUCCESS' | 'FAILURE' };
