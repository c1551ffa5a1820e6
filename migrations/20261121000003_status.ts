import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ai_systems', (t) => {
    // Revision of the system's last status or phase change (0: never changed).
    t.bigInteger('status_revision').notNullable().defaultTo(0);
    t.text('status_reason').notNullable().defaultTo('');
    t.text('status_operator').notNullable().defaultTo('');
  });
  // The change log watchers resume from; pruned after the retention period.
  await knex.schema.createTable('status_changes', (t) => {
    t.uuid('tenant_id').notNullable();
    t.bigInteger('revision').notNullable();
    t.text('system_id').notNullable();
    t.text('kind').notNullable(); // 'status' | 'phase'
    t.text('previous_status').notNullable();
    t.text('new_status').notNullable();
    t.text('previous_phase').notNullable();
    t.text('new_phase').notNullable();
    t.text('reason').notNullable();
    t.text('operator').notNullable();
    t.text('actor_subject').notNullable();
    t.text('idempotency_key');
    t.bigInteger('ledger_sequence').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['tenant_id', 'revision']);
    t.unique(['tenant_id', 'idempotency_key']);
  });
  await knex.schema.createTable('status_heads', (t) => {
    t.uuid('tenant_id').primary();
    t.bigInteger('revision').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('status_heads');
  await knex.schema.dropTable('status_changes');
  await knex.schema.alterTable('ai_systems', (t) => {
    t.dropColumn('status_revision');
    t.dropColumn('status_reason');
    t.dropColumn('status_operator');
  });
}
