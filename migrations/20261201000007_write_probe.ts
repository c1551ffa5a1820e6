import type { Knex } from 'knex';

/**
 * One row the health monitor rewrites while the database refuses writes (full disk, read-only),
 * to learn when it takes them again without waiting for a caller's decision to be the test.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('write_probe', (t) => {
    t.smallint('id').primary();
    t.timestamp('written_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('write_probe');
}
