import type { Knex } from 'knex';

/**
 * The optimistic commit as a function, so PostgreSQL plans its statements
 * once per connection instead of on every call (measured on embedded PGlite:
 * ~0.45 ms per one-entry call against ~1.5 ms for the same statement sent each
 * time with array parameters).
 *
 * For each tenant in batch.heads it moves the ledger head from from_sequence
 * to to_sequence only if the head is still at from_sequence and every expected
 * system status of that tenant still holds; only for the tenants whose head
 * moved does it insert their ledger entries and apply their status changes
 * (change log, system row, revision head, NOTIFY). All of it commits together
 * or not at all. Returns the tenants that were written.
 *
 * Safe without taking a lock first: the head update locks the row and
 * re-checks the sequence against the latest committed version, and every
 * status change moves the head, so a tenant whose head is unchanged has had
 * no status change since the caller's reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION btv_commit_if_current(batch jsonb) RETURNS SETOF uuid LANGUAGE plpgsql AS $$
    DECLARE
      written uuid[];
    BEGIN
      WITH moved AS (
        UPDATE ledger_heads AS h SET sequence = v.to_sequence, head_hash = v.to_hash
        FROM jsonb_to_recordset(batch->'heads') AS v(tenant_id uuid, from_sequence bigint, to_sequence bigint, to_hash text)
        WHERE h.tenant_id = v.tenant_id AND h.sequence = v.from_sequence
          AND NOT EXISTS (
            SELECT 1 FROM jsonb_to_recordset(batch->'expected') AS x(tenant_id uuid, system_id text, operational_status text, lifecycle_phase text)
            WHERE x.tenant_id = v.tenant_id AND NOT EXISTS (
              SELECT 1 FROM ai_systems s
              WHERE s.tenant_id = x.tenant_id AND s.id = x.system_id
                AND s.operational_status = x.operational_status AND s.lifecycle_phase = x.lifecycle_phase))
        RETURNING h.tenant_id
      )
      SELECT array_agg(m.tenant_id) INTO written FROM moved m;
      IF written IS NULL THEN
        RETURN;
      END IF;

      INSERT INTO ledger_entries (tenant_id, sequence, created_at, event_type, actor_subject, actor_role, request_id, payload, prev_hash, entry_hash, key_id, signature)
      SELECT e.* FROM jsonb_to_recordset(batch->'entries') AS e(tenant_id uuid, sequence bigint, created_at timestamptz, event_type text,
        actor_subject text, actor_role text, request_id text, payload text, prev_hash text, entry_hash text, key_id text, signature text)
      WHERE e.tenant_id = ANY (written);

      IF jsonb_array_length(batch->'changes') > 0 THEN
        INSERT INTO status_changes (tenant_id, revision, system_id, kind, previous_status, new_status, previous_phase, new_phase,
          reason, operator, actor_subject, idempotency_key, ledger_sequence, created_at)
        SELECT c.tenant_id, c.revision, c.system_id, c.kind, c.previous_status, c.new_status, c.previous_phase, c.new_phase,
          c.reason, c.operator, c.actor_subject, c.idempotency_key, c.ledger_sequence, c.created_at
        FROM jsonb_to_recordset(batch->'changes') AS c(tenant_id uuid, revision bigint, system_id text, kind text,
          previous_status text, new_status text, previous_phase text, new_phase text, reason text, operator text,
          actor_subject text, idempotency_key text, ledger_sequence bigint, created_at timestamptz)
        WHERE c.tenant_id = ANY (written);

        UPDATE ai_systems AS s SET operational_status = c.new_status, lifecycle_phase = c.new_phase, status_revision = c.revision,
          status_reason = c.reason, status_operator = c.operator, updated_at = c.created_at
        FROM jsonb_to_recordset(batch->'changes') AS c(tenant_id uuid, system_id text, revision bigint, new_status text,
          new_phase text, reason text, operator text, created_at timestamptz)
        WHERE s.tenant_id = c.tenant_id AND s.id = c.system_id AND c.tenant_id = ANY (written);

        INSERT INTO status_heads (tenant_id, revision)
        SELECT c.tenant_id, max(c.revision) FROM jsonb_to_recordset(batch->'changes') AS c(tenant_id uuid, revision bigint)
        WHERE c.tenant_id = ANY (written) GROUP BY c.tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET revision = EXCLUDED.revision;

        -- Delivered to every listening process when, and only if, this transaction commits.
        PERFORM pg_notify(batch->>'channel', c.notification)
        FROM jsonb_to_recordset(batch->'changes') AS c(tenant_id uuid, revision bigint, notification text)
        WHERE c.tenant_id = ANY (written) ORDER BY c.tenant_id, c.revision;
      END IF;

      RETURN QUERY SELECT unnest(written);
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS btv_commit_if_current(jsonb)');
}
