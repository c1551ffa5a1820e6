import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ComplianceService } from '../audit/compliance';
import { UUID_RE } from '../domain/validation';
import { loadRuleSet } from '../engine/rules';
import { CliError, withLedger } from './ledger';
import { reportHtml } from './report-html';

export const REPORT_USAGE = `  btv report SYSTEM_ID --tenant UUID [--format html|json] [--out FILE]
      Write the compliance report of a system (HTML for people, JSON for tools).`;

export async function reportCommand(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, format: { type: 'string', default: 'html' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new CliError('report takes exactly one SYSTEM_ID');
  if (!values.tenant || !UUID_RE.test(values.tenant)) throw new CliError('--tenant: a tenant UUID is required');
  if (values.format !== 'html' && values.format !== 'json') throw new CliError('--format: html or json');
  const tenantId = values.tenant.toLowerCase();
  try {
    return await withLedger(async (ledger, { config, storage, clock }) => {
      const compliance = new ComplianceService(
        storage.ledger,
        ledger,
        storage.systems,
        storage.reviewQueries,
        loadRuleSet(config.configDir),
        clock,
        storage.impact,
      );
      const ctx = { tenantId, subject: 'btv-cli', role: 'auditor' as const, requestId: 'cli', expiresAt: 0 };
      const report = await compliance.report(ctx, positionals[0]);
      const text = values.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : reportHtml(report, tenantId);
      if (!values.out) return text.trimEnd();
      fs.writeFileSync(values.out, text);
      return `wrote ${values.out}`;
    });
  } catch (e) {
    if ((e as { kind?: string }).kind === 'not_found') throw new CliError((e as Error).message);
    throw e;
  }
}
