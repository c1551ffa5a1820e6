import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reviews', (t) => {
    t.uuid('tenant_id').notNullable();
    t.text('id').notNullable();
    t.text('decision_id').notNullable();
    t.text('system_id').notNullable();
    t.text('status').notNullable(); // pending | approved | rejected
    t.double('risk_score').notNullable();
    t.text('reason').notNullable();
    t.text('env').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('resolved_at', { useTz: true });
    t.text('resolved_by');
    t.text('notes');
    t.primary(['tenant_id', 'id']);
    t.index(['tenant_id', 'status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reviews');
}
