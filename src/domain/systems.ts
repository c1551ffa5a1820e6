import { RequestContext } from './context';
import { invalidArgument, systemNotFound } from './errors';
import {
  AiSystem,
  LifecyclePhase,
  OperationalStatus,
  Policy,
  RiskClass,
  RiskLevel,
  SystemSpec,
  ThirdPartyComponent,
} from './model';
import { decodePageToken, encodePageToken } from './page-token';
import { Clock } from './tenants';
import { optionalText, requiredText, SYSTEM_ID_RE, textList, validatePolicy } from './validation';
import { Storage } from '../store/ports';

type Defaulted = 'sector' | 'role' | 'risk' | 'lifecyclePhase' | 'operationalStatus';

/** A registration as received: enum fields are undefined when the caller left them unspecified. */
export type SystemInput = Omit<SystemSpec, Defaulted | 'externalDependencies' | 'policy'> &
  Partial<Pick<SystemSpec, Defaulted>> & {
    externalDependencies: (Omit<ThirdPartyComponent, 'riskLevel'> & { riskLevel?: RiskLevel })[];
    policy?: Policy;
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
}

const JURISDICTION_RE = /^[A-Z]{2,3}(-[A-Z0-9]{1,8})?$/;
const OVERSIGHT_RISKS: RiskClass[] = ['high', 'systemic_gpai', 'prohibited'];

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export class SystemService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Told after a committed change, so caches of this system are dropped. */
    private readonly changed: (tenantId: string, systemId: string) => void = () => undefined,
  ) {}

  async register(ctx: RequestContext, input: SystemInput): Promise<RegisterResult> {
    const spec = validateSystem(input);
    const out = await this.storage.transaction(ctx.tenantId, async (uow) => {
      const { system, created } = await uow.systems.upsert(ctx.tenantId, spec, this.clock());
      await uow.ledger.append(ctx.tenantId, {
        type: created ? 'system.registered' : 'system.updated',
        actor: { subject: ctx.subject, role: ctx.role },
        requestId: ctx.requestId,
        body: { system_id: system.id, spec: { ...spec, lifecyclePhase: system.lifecyclePhase, operationalStatus: system.operationalStatus } },
      });
      const statusIgnored =
        !created &&
        ((input.operationalStatus !== undefined && input.operationalStatus !== system.operationalStatus) ||
          (input.lifecyclePhase !== undefined && input.lifecyclePhase !== system.lifecyclePhase));
      return { system, created, statusIgnored, summary: complianceSummary(system) };
    });
    this.changed(ctx.tenantId, spec.id);
    return out;
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
    const systems = rows.slice(0, size);
    const nextPageToken = rows.length > size ? encodePageToken(ctx.tenantId, [systems[systems.length - 1].id]) : '';
    return { systems, nextPageToken, total };
  }
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

function validateSystem(i: SystemInput): SystemSpec {
  if (!SYSTEM_ID_RE.test(i.id)) throw invalidArgument('system.id', `must match ${SYSTEM_ID_RE.source}`);
  const name = requiredText('system.name', i.name, 200);
  const version = optionalText('system.version', i.version, 64) || '1.0.0';
  if (!i.risk) throw invalidArgument('system.risk', 'is required: every system must carry its EU AI Act risk classification');
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
    policy: i.policy ? validatePolicy('system.policy', i.policy) : null,
  };
}
