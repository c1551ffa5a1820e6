import type { Knex } from 'knex';

// Every table is keyed by (tenant_id, id): the same system id in two tenants is two systems.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.uuid('tenant_id').primary();
    t.text('name').notNullable();
    t.jsonb('policy').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('ai_systems', (t) => {
    t.uuid('tenant_id').notNullable();
    t.text('id').notNullable();
    t.text('name').notNullable();
    t.text('version').notNullable();
    t.text('sector').notNullable();
    t.text('role').notNullable();
    t.text('risk').notNullable();
    t.boolean('sandbox').notNullable();
    t.text('eu_database_id').notNullable();
    t.double('training_flops').notNullable();
    t.boolean('logging_enabled').notNullable();
    t.text('jurisdiction').notNullable();
    t.text('intended_purpose').notNullable();
    t.jsonb('prohibited_domains').notNullable();
    t.text('lifecycle_phase').notNullable();
    t.text('operational_status').notNullable();
    t.jsonb('external_dependencies').notNullable();
    t.jsonb('policy');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.primary(['tenant_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ai_systems');
  await knex.schema.dropTable('tenants');
}
