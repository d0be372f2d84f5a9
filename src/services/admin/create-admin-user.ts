import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertAdminUser, type AdminUserRecord } from '../../db/repositories/admin-user-repository.ts';
import { conflict, isUniqueViolation, validationFailed } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { hashPassword } from './password-hash.ts';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/** Usernames are compared in lower case: `Anna` signs in as `anna`. */
export const normalizeUsername = (username: string): string => username.trim().toLowerCase();

/** A staff account for the admin dashboard; the password is kept only as its scrypt hash. */
export async function createAdminUser(ctx: Pick<ServiceContext, 'db' | 'clock'>, input: { username: string; password: string }, actor: Actor): Promise<AdminUserRecord> {
  const username = normalizeUsername(input.username);
  if (!USERNAME_PATTERN.test(username)) throw validationFailed('the username must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit');
  if (input.password.length < PASSWORD_MIN_LENGTH) throw validationFailed(`the password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (input.password.length > PASSWORD_MAX_LENGTH) throw validationFailed(`the password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const user = await insertAdminUser(tx, { username, passwordHash }, now);
      await recordAudit(tx, { at: now, actor, entity: 'admin_user', entityId: user.id, action: 'create', before: null, after: { username } });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'admin_users_username_key')) throw conflict(`an admin user named "${username}" exists already`);
    throw error;
  }
}
