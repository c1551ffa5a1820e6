import type { Row } from './row';
import type { Knex } from 'knex';
import type { Checkpoint } from '../ledger/checkpoint';
import type { LedgerRecord, SealedRecord } from '../ledger/entry';
import { entryColumns, GENESIS_HASH } from '../ledger/entry';
import type { LedgerEventType, StoredEvent } from '../ledger/events';
import { parseLedgerPayload } from '../ledger/events';
import type { NodeRef } from '../ledger/merkle';
import { HASH_BYTES, nodeHome, nodeKey } from '../ledger/merkle';

export interface Head {
  sequence: number;
  headHash: string;
  /** The Merkle tree's frontier at this head (src/ledger/merkle.ts). */
  frontier: Buffer[];
}

/** 32-byte hashes stored back to back. */
const splitHashes = (b: Buffer | null | undefined): Buffer[] => {
  const out: Buffer[] = [];
  if (b) for (let i = 0; i + HASH_BYTES <= b.length; i += HASH_BYTES) out.push(b.subarray(i, i + HASH_BYTES));
  return out;
};
const toHead = (r: Row): Head => ({
  sequence: Number(r.sequence),
  headHash: r.head_hash,
  frontier: splitHashes(r.frontier),
});

const toRecord = (r: Row): LedgerRecord => ({
  tenantId: r.tenant_id,
  sequence: Number(r.sequence),
  timestamp: new Date(r.created_at).toISOString(),
  eventType: r.event_type,
  actorSubject: r.actor_subject,
  actorRole: r.actor_role,
  requestId: r.request_id,
  payload: r.payload,
  prevHash: r.prev_hash,
  keyId: r.key_id,
  entryHash: r.entry_hash,
  signature: r.signature,
});

const toCheckpoint = (r: Row): Checkpoint => ({
  tenantId: r.tenant_id,
  size: Number(r.size),
  headHash: r.head_hash,
  time: r.time,
  keyId: r.key_id,
  signature: r.signature,
  rootHash: r.root_hash ?? undefined,
  note: r.note ?? undefined,
});

const INSERT_CHUNK = 500;

export class KnexLedgerStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /**
   * Locks the heads of these tenants for the rest of the transaction, creating
   * missing ones. Sorted so that two processes locking overlapping tenants
   * take the locks in the same order.
   */
  async lockHeads(tenantIds: string[]): Promise<Map<string, Head>> {
    const ids = [...new Set(tenantIds)].sort();
    // One round trip: a no-op update on conflict locks existing rows and returns them.
    const rows: Row[] = await this.db('ledger_heads')
      .insert(ids.map((tenant_id) => ({ tenant_id, sequence: 0, head_hash: GENESIS_HASH })))
      .onConflict('tenant_id')
      .merge({ tenant_id: this.db.raw('excluded.tenant_id') })
      .returning(['tenant_id', 'sequence', 'head_hash', 'frontier']);
    return new Map(rows.map((r) => [r.tenant_id, toHead(r)]));
  }

  /**
   * Inserts the entries and moves the heads in one round trip per chunk: a
   * data-modifying CTE inserts, the statement around it updates the heads.
   */
  async append(records: SealedRecord[], heads: Map<string, Head>): Promise<void> {
    const headValues = [...heads].flatMap(([t, h]) => [t, h.sequence, h.headHash, Buffer.concat(h.frontier)]);
    const headRows = [...heads].map(() => '(?::uuid, ?::bigint, ?, ?::bytea)').join(', ');
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      const chunk = records.slice(i, i + INSERT_CHUNK);
      const last = i + INSERT_CHUNK >= records.length;
      const values = chunk.flatMap((r) => [...Object.values(entryColumns(r)), r.treeHashes]);
      const rows = chunk
        .map(() => '(?::uuid, ?::bigint, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::bytea)')
        .join(', ');
      const insert = `INSERT INTO ledger_entries (${Object.keys(entryColumns(chunk[0])).join(', ')}, tree_hashes) VALUES ${rows}`;
      if (!last || heads.size === 0) {
        await this.db.raw(insert, values);
        continue;
      }
      await this.db.raw(
        `WITH inserted AS (${insert} RETURNING 1)
         UPDATE ledger_heads AS h SET sequence = v.sequence, head_hash = v.head_hash, frontier = v.frontier
         FROM (VALUES ${headRows}) AS v(tenant_id, sequence, head_hash, frontier)
         WHERE h.tenant_id = v.tenant_id`,
        [...values, ...headValues],
      );
    }
  }

  async head(tenantId: string): Promise<Head> {
    const r: Row | undefined = await this.db('ledger_heads').where({ tenant_id: tenantId }).first();
    return r ? toHead(r) : { sequence: 0, headHash: GENESIS_HASH, frontier: [] };
  }

  /**
   * Stored Merkle tree nodes, by nodeKey, and the tenant's head sequence, in one round trip: an
   * indexed read of the entries that hold the nodes, joined to the head row (btv_tree_nodes,
   * migration 000008).
   */
  async treeNodes(tenantId: string, nodes: NodeRef[]): Promise<{ size: number; nodes: Map<string, Buffer> }> {
    const homes = nodes.map((n) => ({ n, ...nodeHome(n) }));
    const sequences = [...new Set(homes.map((h) => h.sequence))];
    const { rows }: { rows: Row[] } = await this.db.raw('SELECT * FROM btv_tree_nodes(?::uuid, ?::bigint[])', [
      tenantId,
      sequences,
    ]);
    const bySequence = new Map(
      rows.filter((r) => r.sequence !== null).map((r) => [Number(r.sequence), splitHashes(r.tree_hashes)]),
    );
    const out = new Map<string, Buffer>();
    for (const h of homes) {
      const hash = bySequence.get(h.sequence)?.[h.offset];
      if (hash) out.set(nodeKey(h.n), hash);
    }
    return { size: rows.length ? Number(rows[0].head) : 0, nodes: out };
  }

  /** The ledger entry of a decision, by its decision id. */
  async decisionEntry(tenantId: string, decisionId: string): Promise<LedgerRecord | undefined> {
    const r: Row | undefined = await this.db('ledger_entries')
      .where({ tenant_id: tenantId, event_type: 'decision' })
      .andWhereRaw(`(payload::jsonb ->> 'decision_id') = ?`, [decisionId])
      .first();
    return r ? toRecord(r) : undefined;
  }

  async list(tenantId: string, afterSequence: number, limit: number): Promise<LedgerRecord[]> {
    const rows: Row[] = await this.db('ledger_entries')
      .where({ tenant_id: tenantId })
      .andWhere('sequence', '>', afterSequence)
      .orderBy('sequence')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Payloads of one event type, oldest first, optionally within [since, until) and for one system. */
  async events<T extends LedgerEventType>(
    tenantId: string,
    eventType: T,
    o: { since?: Date; until?: Date; systemId?: string } = {},
  ): Promise<StoredEvent<T>[]> {
    const q = this.db('ledger_entries').where({ tenant_id: tenantId, event_type: eventType });
    if (o.since) q.andWhere('created_at', '>=', o.since);
    if (o.until) q.andWhere('created_at', '<', o.until);
    if (o.systemId) q.andWhereRaw(`(payload::jsonb ->> 'system_id') = ?`, [o.systemId]);
    const rows: Row[] = await q.orderBy('sequence').select('sequence', 'created_at', 'payload');
    return rows.map((r) => ({
      sequence: Number(r.sequence),
      timestamp: new Date(r.created_at),
      payload: parseLedgerPayload(eventType, r.payload),
    }));
  }

  async insertCheckpoint(c: Checkpoint): Promise<void> {
    await this.db('ledger_checkpoints')
      .insert({
        tenant_id: c.tenantId,
        size: c.size,
        head_hash: c.headHash,
        time: c.time,
        key_id: c.keyId,
        signature: c.signature,
        root_hash: c.rootHash ?? null,
        note: c.note ?? null,
      })
      .onConflict(['tenant_id', 'size'])
      // A checkpoint made before the tree existed gains the signed note of its size; nothing else changes.
      .merge(['root_hash', 'note'])
      .whereNull('ledger_checkpoints.note');
  }

  async latestSignedRoot(tenantId: string, maxSize: number): Promise<Checkpoint | undefined> {
    const row: Row | undefined = await this.db('ledger_checkpoints')
      .where({ tenant_id: tenantId })
      .where('size', '<=', maxSize)
      .whereNotNull('root_hash')
      .orderBy('size', 'desc')
      .first();
    return row ? toCheckpoint(row) : undefined;
  }

  async checkpoints(tenantId: string): Promise<Checkpoint[]> {
    const rows: Row[] = await this.db('ledger_checkpoints').where({ tenant_id: tenantId }).orderBy('size');
    return rows.map(toCheckpoint);
  }

  /** Heads that moved past their tenant's last checkpoint. */
  async headsWithoutCheckpoint(): Promise<(Head & { tenantId: string })[]> {
    const rows: Row[] = await this.db('ledger_heads as h')
      .leftJoin(
        this.db('ledger_checkpoints').select('tenant_id').max('size as size').groupBy('tenant_id').as('c'),
        'c.tenant_id',
        'h.tenant_id',
      )
      .where('h.sequence', '>', 0)
      .andWhere((q) => {
        q.whereNull('c.size').orWhere('h.sequence', '>', this.db.ref('c.size'));
      })
      .select('h.tenant_id', 'h.sequence', 'h.head_hash', 'h.frontier');
    return rows.map((r) => ({ tenantId: r.tenant_id, ...toHead(r) }));
  }
}
