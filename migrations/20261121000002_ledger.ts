import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_entries', (t) => {
    t.uuid('tenant_id').notNullable();
    t.bigInteger('sequence').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.text('event_type').notNullable();
    t.text('actor_subject').notNullable();
    t.text('actor_role').notNullable();
    t.text('request_id').notNullable();
    // Canonical JSON text, exactly as hashed: jsonb would re-format it.
    t.text('payload').notNullable();
    t.text('prev_hash').notNullable();
    t.text('entry_hash').notNullable();
    t.text('key_id').notNullable();
    t.text('signature').notNullable();
    t.primary(['tenant_id', 'sequence']);
  });
  // One row per tenant: locking it serialises appends across every server process.
  await knex.schema.createTable('ledger_heads', (t) => {
    t.uuid('tenant_id').primary();
    t.bigInteger('sequence').notNullable();
    t.text('head_hash').notNullable();
  });
  await knex.schema.createTable('ledger_checkpoints', (t) => {
    t.uuid('tenant_id').notNullable();
    t.bigInteger('size').notNullable();
    t.text('head_hash').notNullable();
    t.text('time').notNullable();
    t.text('key_id').notNullable();
    t.text('signature').notNullable();
    t.primary(['tenant_id', 'size']);
  });
  // Append-only in the database too: an UPDATE or DELETE needs an operator to
  // drop this trigger first, and the verifier catches what they then change.
  await knex.raw(`
    CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger_entries is append-only';
    END $$`);
  await knex.raw(`
    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries');
  await knex.raw('DROP FUNCTION IF EXISTS ledger_entries_append_only()');
  await knex.schema.dropTable('ledger_checkpoints');
  await knex.schema.dropTable('ledger_heads');
  await knex.schema.dropTable('ledger_entries');
}
