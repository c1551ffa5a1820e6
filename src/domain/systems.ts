import type { RequestContext } from './context';
import { invalidArgument, permissionDenied, systemNotFound } from './errors';
import type {
  AiSystem,
  EnforcementMode,
  LifecyclePhase,
  OperationalStatus,
  Policy,
  RiskClass,
  RiskLevel,
  SystemSpec,
  ThirdPartyComponent,
} from './model';
import { ENVIRONMENTS } from './model';
import { decodePageToken, encodePageToken } from './page-token';
import type { Clock } from './clock';
import type { Promotion } from '../enforcement/rollout';
import { isPromotion, promotionImpact } from '../enforcement/rollout';
import { boundedRecord, optionalText, requiredText, SYSTEM_ID_RE, textList, validatePolicy } from './validation';
import type { Storage } from '../store/ports';
import type { BaselineFields } from '../engine/decide';
import type { LedgeredSystemSpec } from '../ledger/events';

type Defaulted = 'sector' | 'role' | 'risk' | 'lifecyclePhase' | 'operationalStatus';

/** A registration as received: enum fields are undefined when the caller left them unspecified. */
export type SystemInput = Omit<SystemSpec, Defaulted | 'externalDependencies' | 'policy' | 'candidatePolicy'> &
  Partial<Pick<SystemSpec, Defaulted>> & {
    externalDependencies: (Omit<ThirdPartyComponent, 'riskLevel'> & { riskLevel?: RiskLevel })[];
    policy?: Policy;
    candidatePolicy?: Policy;
  };

export interface ComplianceSummary {
  lifecyclePhase: LifecyclePhase;
  operationalStatus: OperationalStatus;
  requiresHumanOversight: boolean;
  nistAlignment: string[];
}

export interface RegisterResult {
  system: AiSystem;
  created: boolean;
  /** Set when the caller asked for a status or phase that only OperationsService may change. */
  statusIgnored: boolean;
  summary: ComplianceSummary;
  /** The registered policy is the candidate the system carried: promoted. */
  promotion?: Promotion;
}

const JURISDICTION_RE = /^[A-Z]{2,3}(-[A-Z0-9]{1,8})?$/;
const OVERSIGHT_RISKS: RiskClass[] = ['high', 'systemic_gpai', 'prohibited'];

export interface SystemLimits {
  /** BTV_MAX_RECORD_BYTES: a system as stored and ledgered. */
  maxRecordBytes: number;
  /** Most bytes of systems in one ListSystems page. */
  pageBytes: number;
  /** The custom rules the global policy defines; a system may switch only those (undefined: any). */
  knownRules?: ReadonlySet<string>;
  /** The risk a system's own fields carry (the policy's baseline), so that lowering it counts as loosening. */
  baseline?: (s: BaselineFields) => number;
}

export const DEFAULT_SYSTEM_LIMITS: SystemLimits = { maxRecordBytes: 65_536, pageBytes: 1 << 20 };

const recordBytes = (s: AiSystem) => Buffer.byteLength(JSON.stringify(s));

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export class SystemService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Told after a committed change, so caches of this system are dropped. */
    private readonly changed: (tenantId: string, systemId: string) => void = () => undefined,
    private readonly limits: SystemLimits = DEFAULT_SYSTEM_LIMITS,
  ) {}

  async register(ctx: RequestContext, input: SystemInput): Promise<RegisterResult> {
    const spec = validateSystem(input, this.limits.knownRules);
    boundedRecord('system', spec, this.limits.maxRecordBytes);
    const out = await this.storage.transaction(ctx.tenantId, async (uow) => {
      // Checked against the stored system under its row lock, in the transaction that writes:
      // a check on an earlier read would let a concurrent admin tightening be undone unseen.
      let promoted = false;
      const { system, created } = await uow.systems.upsertChecked(ctx.tenantId, spec, this.clock(), (stored) => {
        promoted = isPromotion(stored?.candidatePolicy ?? null, spec.policy);
        if (ctx.role !== 'admin' && modeLoosened(stored?.policy?.mode, spec.policy?.mode)) {
          // Monitor mode answers APPROVED whatever the decision: switching it on, or dropping the
          // ENFORCE that overrides a tenant in monitor mode, is an admin's call.
          throw permissionDenied(
            'POLICY_CHANGE_REQUIRES_ADMIN',
            'system.policy.mode: only an admin may switch a system to monitor mode or drop its ENFORCE mode',
            { field: 'system.policy.mode' },
          );
        }
        if (!stored || ctx.role === 'admin') return;
        const field = firstLoosening(stored, spec, this.limits.baseline);
        if (field) {
          throw permissionDenied(
            'POLICY_CHANGE_REQUIRES_ADMIN',
            `${field}: only an admin may lower a system's risk (its classification, sector, role, sandbox or compute) or loosen or remove its policy`,
            { field },
          );
        }
      });
      await uow.ledger.append(ctx.tenantId, {
        type: created ? 'system.registered' : 'system.updated',
        actor: { subject: ctx.subject, role: ctx.role },
        requestId: ctx.requestId,
        body: { system_id: system.id, spec: ledgered(spec, system) },
      });
      const statusIgnored =
        !created &&
        ((input.operationalStatus !== undefined && input.operationalStatus !== system.operationalStatus) ||
          (input.lifecyclePhase !== undefined && input.lifecyclePhase !== system.lifecyclePhase));
      return { system, created, statusIgnored, summary: complianceSummary(system), promoted };
    });
    this.changed(ctx.tenantId, spec.id);
    const { promoted, ...result } = out;
    if (!promoted) return result;
    return { ...result, promotion: await promotionImpact(this.storage, ctx.tenantId, this.clock(), spec.id) };
  }

  async get(ctx: RequestContext, systemId: string): Promise<AiSystem> {
    // A malformed id cannot exist: answer exactly as for a missing one.
    const system = SYSTEM_ID_RE.test(systemId) ? await this.storage.systems.get(ctx.tenantId, systemId) : undefined;
    if (!system) throw systemNotFound(systemId);
    return system;
  }

  async list(ctx: RequestContext, pageSize: number, pageToken: string) {
    if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
      throw invalidArgument('page_size', `must be from 0 to ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE})`);
    }
    const size = pageSize || DEFAULT_PAGE_SIZE;
    const after = pageToken ? decodePageToken(ctx.tenantId, pageToken, 1)[0] : '';
    const [rows, total] = await Promise.all([
      this.storage.systems.list(ctx.tenantId, after, size + 1),
      this.storage.systems.count(ctx.tenantId),
    ]);
    // Fewer than asked for when the systems are large (never none), so the page fits a response.
    let bytes = 0;
    let n = 0;
    const max = Math.min(size, rows.length);
    while (n < max && (n === 0 || bytes + recordBytes(rows[n]) <= this.limits.pageBytes))
      bytes += recordBytes(rows[n++]);
    const systems = rows.slice(0, n);
    const nextPageToken = rows.length > n ? encodePageToken(ctx.tenantId, [systems[systems.length - 1].id]) : '';
    return { systems, nextPageToken, total };
  }
}

/** Strictness for the loosening check; a class not listed (or unset) counts as the strictest. */
const RISK_RANK: Record<string, number> = { minimal: 0, limited: 1, high: 2, systemic_gpai: 3, prohibited: 4 };
const riskRank = (r: string | undefined) =>
  r !== undefined && Object.prototype.hasOwnProperty.call(RISK_RANK, r) ? RISK_RANK[r] : Infinity;

/** How the engine matches a prohibited domain: entries equal under this are the same protection. */
const domainKey = (d: string) => d.toLowerCase().replace(/[\s-]+/g, '_');

const envOrder = (env: string) => {
  const i = (ENVIRONMENTS as readonly string[]).indexOf(env);
  return i < 0 ? ENVIRONMENTS.length : i;
};

/**
 * The first field (in AiSystem field order) where `next` protects less than `stored`, or undefined
 * when it loosens nothing. Loosening: a lower risk class, logging turned off, a prohibited domain
 * dropped, the policy removed, an environment dropped from the autonomy matrix or given a higher
 * limit, a custom rule turned off or dropped. Rules that are off protect nothing, so dropping one
 * loosens nothing.
 */
/** Fields that weigh in the baseline risk, as the API names them. */
const BASELINE_FIELDS: [keyof BaselineFields, string][] = [
  ['sector', 'system.sector'],
  ['role', 'system.role'],
  ['trainingFlops', 'system.training_flops'],
  ['sandbox', 'system.sandbox'],
];

export function firstLoosening(
  stored: BaselineFields & Pick<AiSystem, 'prohibitedDomains' | 'policy'>,
  next: SystemSpec,
  baseline?: (s: BaselineFields) => number,
): string | undefined {
  if (riskRank(next.risk) < riskRank(stored.risk)) return 'system.risk';
  if (stored.loggingEnabled && !next.loggingEnabled) return 'system.logging_enabled';
  if (baseline) {
    // Moving a system out of an Annex III sector, or out of the provider role, lowers what every
    // task of it starts from as surely as lowering its risk class. One field at a time: the baseline
    // is a sum, and turning logging on (which lowers it) must not hide a sector moved out.
    const before = baseline(stored);
    for (const [key, field] of BASELINE_FIELDS) if (baseline({ ...stored, [key]: next[key] }) < before) return field;
  }
  const kept = new Set(next.prohibitedDomains.map(domainKey));
  if (stored.prohibitedDomains.some((d) => !kept.has(domainKey(d)))) return 'system.prohibited_domains';
  const before = stored.policy;
  if (!before) return undefined;
  const envs = Object.keys(before.autonomyMatrix).sort(
    (a, b) => envOrder(a) - envOrder(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const onRules = Object.keys(before.customRules)
    .filter((r) => before.customRules[r] === true)
    .sort();
  const after = next.policy;
  if (!after) return envs.length || onRules.length ? 'system.policy' : undefined;
  for (const env of envs) {
    const limit = after.autonomyMatrix[env];
    if (!limit) return `system.policy.autonomy_matrix["${env}"]`;
    // Written the other way round so that a stored limit that is not a number counts as the strictest.
    if (!(limit.maxRiskLevel <= before.autonomyMatrix[env]?.maxRiskLevel))
      return `system.policy.autonomy_matrix["${env}"].max_risk_level`;
  }
  for (const rule of onRules) if (after.customRules[rule] !== true) return `system.policy.custom_rules["${rule}"]`;
  return undefined;
}

/**
 * Whether a mode change can make a system monitored that was not: MONITOR set where it was not, or
 * an explicit ENFORCE (which wins over a tenant's MONITOR) dropped, also by removing the policy.
 */
export function modeLoosened(before: EnforcementMode | undefined, after: EnforcementMode | undefined): boolean {
  if (after === before || after === 'enforce') return false;
  return after === 'monitor' || before === 'enforce';
}

/** The spec as ledgered: without a candidate it reads exactly as before candidates existed. */
function ledgered(spec: SystemSpec, system: AiSystem): LedgeredSystemSpec {
  const { candidatePolicy, ...rest } = spec;
  return {
    ...rest,
    lifecyclePhase: system.lifecyclePhase,
    operationalStatus: system.operationalStatus,
    ...(candidatePolicy ? { candidatePolicy } : {}),
  };
}

export function complianceSummary(s: AiSystem): ComplianceSummary {
  const nist = ['GOVERN-1.6', 'MANAGE-2.4'];
  if (s.intendedPurpose) nist.push('MAP-1.1');
  if (s.externalDependencies.length > 0) nist.push('GOVERN-6.1');
  if (s.loggingEnabled) nist.push('MANAGE-4.1');
  return {
    lifecyclePhase: s.lifecyclePhase,
    operationalStatus: s.operationalStatus,
    requiresHumanOversight: OVERSIGHT_RISKS.includes(s.risk),
    nistAlignment: nist.sort(),
  };
}

function validateSystem(i: SystemInput, knownRules?: ReadonlySet<string>): SystemSpec {
  if (!SYSTEM_ID_RE.test(i.id)) throw invalidArgument('system.id', `must match ${SYSTEM_ID_RE.source}`);
  const name = requiredText('system.name', i.name, 200);
  const version = optionalText('system.version', i.version, 64) || '1.0.0';
  if (!i.risk)
    throw invalidArgument('system.risk', 'is required: every system must carry its EU AI Act risk classification');
  if (i.risk === 'high' && !i.loggingEnabled) {
    throw invalidArgument('system.logging_enabled', 'must be true for a high-risk system (EU AI Act Art. 12)');
  }
  if (!Number.isFinite(i.trainingFlops) || i.trainingFlops < 0) {
    throw invalidArgument('system.training_flops', 'must be a finite number >= 0');
  }
  const jurisdiction = (i.jurisdiction.trim() || 'EU').toUpperCase();
  if (!JURISDICTION_RE.test(jurisdiction)) {
    throw invalidArgument('system.jurisdiction', 'must be a region code such as "EU", "US", "US-CA" or "BR"');
  }
  if (i.externalDependencies.length > 200) {
    throw invalidArgument('system.external_dependencies', 'must have at most 200 components');
  }
  const externalDependencies = i.externalDependencies.map((c, n) => {
    const f = `system.external_dependencies[${n}]`;
    return {
      name: requiredText(`${f}.name`, c.name, 200),
      version: optionalText(`${f}.version`, c.version, 64),
      vendor: optionalText(`${f}.vendor`, c.vendor, 200),
      licenseType: optionalText(`${f}.license_type`, c.licenseType, 100),
      riskLevel: c.riskLevel ?? 'low',
      vulnerabilities: textList(`${f}.vulnerabilities`, c.vulnerabilities, 200, 100),
    };
  });
  return {
    id: i.id,
    name,
    version,
    sector: i.sector ?? 'general',
    role: i.role ?? 'deployer',
    risk: i.risk,
    sandbox: i.sandbox,
    euDatabaseId: optionalText('system.eu_database_id', i.euDatabaseId, 128),
    trainingFlops: i.trainingFlops,
    loggingEnabled: i.loggingEnabled,
    jurisdiction,
    intendedPurpose: optionalText('system.intended_purpose', i.intendedPurpose, 2000),
    prohibitedDomains: textList('system.prohibited_domains', i.prohibitedDomains, 100, 100),
    lifecyclePhase: i.lifecyclePhase ?? 'deployment',
    operationalStatus: i.operationalStatus ?? 'active',
    externalDependencies,
    policy: i.policy ? validatePolicy('system.policy', i.policy, knownRules) : null,
    candidatePolicy: i.candidatePolicy
      ? validatePolicy('system.candidate_policy', i.candidatePolicy, knownRules)
      : null,
  };
}
