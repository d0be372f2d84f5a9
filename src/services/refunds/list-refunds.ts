import { listRefundsOfPayments as listRefundRows, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The refunds recur asked for, per payment id, oldest first (the API's and the pages' payments show them). */
export const listRefundsOfPayments = (ctx: Pick<ServiceContext, 'db'>, paymentIds: readonly string[]): Promise<Map<string, RefundRecord[]>> => listRefundRows(ctx.db, paymentIds);
