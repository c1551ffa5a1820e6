import type { Knex } from 'knex';

/**
 * Safe rollout: candidate policies beside the policies, and the measured impact of candidates.
 *
 * decision_impact holds one narrow row per decision evaluated against a candidate, and
 * decision_impact_hourly the same counted per UTC hour, both written by a trigger in the
 * transaction that appends the decision's ledger entry: every write path (the locking batch and
 * the optimistic single statement) gets them without knowing of them, and no decision is counted
 * that did not commit. GetPolicyImpact sums the hourly counts for the whole hours of its window
 * and counts rows only for the partial hours at its edges, so a day of a million decisions is
 * a few hundred rows read, never the payloads. The hourly counter rows are updated in place,
 * under the tenant's ledger lock that every append already holds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ai_systems', (t) => t.jsonb('candidate_policy').nullable());
  await knex.schema.alterTable('tenants', (t) => t.jsonb('candidate_policy').nullable());
  await knex.schema.createTable('decision_impact', (t) => {
    t.uuid('tenant_id').notNullable();
    t.bigInteger('sequence').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.text('system_id').notNullable();
    t.text('env').notNullable();
    t.text('threat').notNullable();
    t.text('outcome').notNullable();
    t.text('candidate_outcome').notNullable();
    t.text('decision_id').notNullable();
    t.primary(['tenant_id', 'sequence']);
  });
  await knex.raw('CREATE INDEX decision_impact_by_time ON decision_impact (tenant_id, created_at)');
  await knex.schema.createTable('decision_impact_hourly', (t) => {
    t.uuid('tenant_id').notNullable();
    t.timestamp('hour', { useTz: true }).notNullable();
    t.text('system_id').notNullable();
    t.text('env').notNullable();
    t.text('threat').notNullable();
    t.text('outcome').notNullable();
    t.text('candidate_outcome').notNullable();
    t.bigInteger('decisions').notNullable();
    t.primary(['tenant_id', 'hour', 'system_id', 'env', 'threat', 'outcome', 'candidate_outcome']);
  });
  await knex.raw('CREATE INDEX decision_impact_by_system ON decision_impact (tenant_id, system_id, created_at)');
  await knex.raw(`
    CREATE FUNCTION ledger_decision_impact() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p jsonb := NEW.payload::jsonb;
      -- Named apart from the columns: PL/pgSQL would take a column name for the variable.
      main_threat text := COALESCE(NULLIF(p->>'sub_threat_type', ''), 'none');
    BEGIN
      IF p->>'candidate_outcome' IS NOT NULL THEN
        INSERT INTO decision_impact (tenant_id, sequence, created_at, system_id, env, threat, outcome, candidate_outcome, decision_id)
        VALUES (NEW.tenant_id, NEW.sequence, NEW.created_at, p->>'system_id', p->>'env', main_threat, p->>'outcome', p->>'candidate_outcome', p->>'decision_id');
        -- The UTC hour, whatever the session's time zone.
        INSERT INTO decision_impact_hourly (tenant_id, hour, system_id, env, threat, outcome, candidate_outcome, decisions)
        VALUES (NEW.tenant_id, to_timestamp(floor(extract(epoch FROM NEW.created_at) / 3600) * 3600), p->>'system_id', p->>'env', main_threat,
                p->>'outcome', p->>'candidate_outcome', 1)
        ON CONFLICT (tenant_id, hour, system_id, env, threat, outcome, candidate_outcome)
        DO UPDATE SET decisions = decision_impact_hourly.decisions + 1;
      END IF;
      RETURN NULL;
    END $$`);
  // The WHEN clause keeps every other entry from paying for a function call or a JSON parse.
  await knex.raw(`
    CREATE TRIGGER ledger_decision_impact AFTER INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.event_type = 'decision' AND strpos(NEW.payload, '"candidate_outcome"') > 0)
    EXECUTE FUNCTION ledger_decision_impact()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS ledger_decision_impact ON ledger_entries');
  await knex.raw('DROP FUNCTION IF EXISTS ledger_decision_impact()');
  await knex.schema.dropTableIfExists('decision_impact_hourly');
  await knex.schema.dropTableIfExists('decision_impact');
  await knex.schema.alterTable('tenants', (t) => t.dropColumn('candidate_policy'));
  await knex.schema.alterTable('ai_systems', (t) => t.dropColumn('candidate_policy'));
}
