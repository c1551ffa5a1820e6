import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { AiSystem, RiskClassification, RiskLevel, Sector } from '../../gen/ts/btv/v1/types';
import { DEV_CHECKPOINT_KEY_FILE } from '../../src/ledger/checkpoint';
import { openNote, parseCheckpointText } from '../../src/ledger/note';
import { bearer, call, connect } from '../helpers/grpc';
import { btv } from '../helpers/process';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

describe('btv report (CLI)', function () {
  this.timeout(90_000);
  let env: Record<string, string>;
  let tenantId: string;

  before(async () => {
    const srv = await startTestServer({ env: { BTV_CHECKPOINT_INTERVAL_MS: '0' } });
    tenantId = srv.tenantId;
    const c = connect(srv.address);
    const system = AiSystem.fromPartial({
      id: 'scoring',
      name: 'Scoring <b>&</b>',
      risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
      loggingEnabled: true,
      sector: Sector.SECTOR_BANKING,
      externalDependencies: [
        {
          name: 'gbm',
          version: '2',
          vendor: 'oss',
          licenseType: 'MIT',
          riskLevel: RiskLevel.RISK_LEVEL_MEDIUM,
          vulnerabilities: ['CVE-1'],
        },
      ],
    });
    await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('admin')));
    await call(
      c.governance,
      c.governance.enforce,
      { systemId: 'scoring', prompt: 'Summarise the credit policy', env: 'production', artifactType: '', messages: [] },
      bearer(srv.mint('app')),
    );
    c.close();
    // The embedded database is single-process: the CLI runs after the server stopped.
    await srv.stop();
    env = {
      BTV_DATA_DIR: srv.dataDir,
      BTV_JWT_SECRET: srv.secret,
      ...(TEST_DATABASE_URL ? { BTV_DATABASE_URL: TEST_DATABASE_URL } : {}),
    };
  });

  it('writes the JSON report computed from the stored system and its decisions', async () => {
    const r = await btv(['report', 'scoring', '--tenant', tenantId, '--format', 'json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report.systemId).to.equal('scoring');
    expect(report.euAiAct.map((a: { article: string }) => a.article)).to.deep.equal([
      'Art. 5',
      'Art. 6',
      'Art. 9',
      'Art. 12',
      'Art. 14',
      'Art. 51',
      'Art. 71',
    ]);
    expect(report.euAiAct.find((a: { article: string }) => a.article === 'Art. 9').evidence).to.contain('1 decisions');
    expect(report.supplyChain).to.deep.include({ overallRisk: 'medium', totalComponents: 1 });
    expect(report.ledgerValid).to.equal(true);
    // It names the signed checkpoint it was computed at: the note checks with the public key.
    const pub = crypto.createPublicKey(fs.readFileSync(path.join(env.BTV_DATA_DIR, DEV_CHECKPOINT_KEY_FILE)));
    const origin = `buildtovalue.dev/ledger/${tenantId}`;
    expect(parseCheckpointText(openNote(report.checkpoint.note, origin, pub))).to.deep.include({
      size: report.ledgerSequence,
    });
    expect(report.ledgerSequence).to.equal(2);
  });

  it('writes a readable HTML page with every article, escaping what the tenant typed', async () => {
    const out = path.join(env.BTV_DATA_DIR, 'report.html');
    const r = await btv(['report', 'scoring', '--tenant', tenantId, '--out', out], env);
    expect(r.code, r.stderr).to.equal(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain('Compliance report — scoring');
    for (const a of ['Art. 5', 'Art. 12', 'Art. 71', 'GOVERN-6.1', 'CVE-1']) expect(html).to.contain(a);
    expect(html).not.to.contain('<b>&</b>');
    // The rollout section: this system was never in monitor mode and has no candidate.
    expect(html).to.contain('Rollout: monitor mode and candidate policies');
    expect(html).to.contain('never in monitor mode: every decision was enforced');
    expect(html).to.contain('no candidate policy measured in the last 30 days');
    expect(html).to.contain('Signed checkpoint');
    expect(html).to.contain(`buildtovalue.dev/ledger/${tenantId}\n2\n`);
    expect(html).to.contain('How to check it');
  });

  it('answers a clear error for an unknown system or a bad tenant', async () => {
    const missing = await btv(['report', 'nope', '--tenant', tenantId], env);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('system "nope" not found');
    const bad = await btv(['report', 'scoring', '--tenant', 'acme'], env);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('--tenant');
  });
});
