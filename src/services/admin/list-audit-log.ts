import type { Page } from '../../db/keyset-page.ts';
import type { AuditTrailItem } from '../../db/repositories/audit-log-repository.ts';
import { listAuditLog as listAuditLogRows, type AuditLogFilter } from '../../db/repositories/audit-log-query-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The audit log for the dashboard: who did what to which entity, newest first. */
export function listAuditLog(ctx: Pick<ServiceContext, 'db'>, filter: AuditLogFilter): Promise<Page<AuditTrailItem>> {
  return listAuditLogRows(ctx.db, filter);
}
