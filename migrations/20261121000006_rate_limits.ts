import type { Knex } from 'knex';

/**
 * Counts of the shared rate limiter (BTV_RATE_LIMIT_STORE=postgres), in the
 * layout rate-limiter-flexible's RateLimiterPostgres reads and writes: one row
 * per tenant and RPC group, its points in the current window and when the
 * window ends (ms since the epoch). IF NOT EXISTS: a database where the
 * limiter created the table itself keeps it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE TABLE IF NOT EXISTS rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limits');
}
