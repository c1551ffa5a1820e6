import type { ComplianceReport } from '../audit/compliance';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BADGE: Record<string, string> = {
  compliant: '#1b7f3b',
  attention: '#b26a00',
  non_compliant: '#b3261e',
  not_applicable: '#6b6b6b',
};

/** A self-contained HTML page an auditor can open, print or attach. */
export function reportHtml(r: ComplianceReport, tenantId: string): string {
  const rows = r.euAiAct
    .map(
      (a) =>
        `<tr><td>${esc(a.article)}</td><td>${esc(a.title)}</td><td><span class="badge" style="background:${BADGE[a.status]}">${esc(a.status.replace('_', ' '))}</span></td><td>${esc(a.evidence)}</td></tr>`,
    )
    .join('\n');
  const list = (items: string[]) =>
    items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '<p class="muted">none</p>';
  const comps = r.supplyChain.components
    .map(
      (c) =>
        `<tr><td>${esc(c.name)}</td><td>${esc(c.version)}</td><td>${esc(c.vendor)}</td><td>${esc(c.licenseType)}</td><td>${esc(c.riskLevel)}</td><td>${esc(c.vulnerabilities.join(', '))}</td></tr>`,
    )
    .join('\n');
  const cp = r.checkpoint;
  const proof = cp?.note
    ? `<h2>Signed checkpoint</h2>
<p>This report was computed from the first ${cp.size} entries of the tenant's signed ledger, as this checkpoint (a C2SP <code>tlog-checkpoint</code> signed note, Ed25519) names them: tree size ${cp.size}, RFC 9162 Merkle root <code>${esc(cp.rootHash ?? '')}</code>, signed ${esc(cp.time)}.</p>
<pre>${esc(cp.note)}</pre>
<p>How to check it: keep this note. Anyone holding the checkpoint public key (verifier key <code>${esc(r.checkpointVerifierKey ?? '')}</code>) can check its signature with any signed-note tool; <code>AuditService/GetConsistencyProof</code> (from_size ${cp.size}) then proves that every later checkpoint extends this one, and <code>btv ledger receipt</code> gives any decision's inclusion proof into it. See docs/ledger.md.</p>`
    : '<h2>Signed checkpoint</h2><p class="muted">no signed checkpoint</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Compliance report: ${esc(r.systemId)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.4rem .5rem;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:.8rem;padding:.1rem .6rem;font-size:.85rem;white-space:nowrap}.muted{color:#6b6b6b}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.6rem;border-radius:.3rem}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #ddd;border-radius:.5rem;padding:.6rem 1rem}.kpi b{display:block;font-size:1.4rem}
</style></head><body>
<h1>Compliance report — ${esc(r.systemId)}</h1>
<p class="muted">Tenant ${esc(tenantId)} · generated ${esc(r.generatedAt.toISOString())} · computed at ledger entry ${r.ledgerSequence} (${r.ledgerValid ? 'ledger verified' : 'LEDGER DOES NOT VERIFY'})</p>
<div class="kpis">
<div class="kpi"><b>${r.nist.compliancePercentage}%</b>NIST AI RMF subcategories evidenced</div>
<div class="kpi"><b>${Math.round(r.aicmCoverage * 100)}%</b>applicable EU AI Act articles compliant</div>
<div class="kpi"><b>${esc(r.supplyChain.overallRisk)}</b>supply-chain risk (${r.supplyChain.totalComponents} components)</div>
</div>
<h2>EU AI Act</h2>
<table><tr><th>Article</th><th>Title</th><th>Status</th><th>Evidence</th></tr>
${rows}
</table>
<h2>NIST AI RMF</h2>
<h3>Implemented</h3>${list(r.nist.implemented)}
<h3>Roadmap</h3>${list(r.nist.roadmap)}
<h2>Rollout: monitor mode and candidate policies</h2>
${rollout(r)}
${proof}
<h2>Supply chain</h2>
${comps ? `<table><tr><th>Component</th><th>Version</th><th>Vendor</th><th>Licence</th><th>Risk</th><th>Vulnerabilities</th></tr>${comps}</table>` : '<p class="muted">no third-party components registered</p>'}
</body></html>
`;
}

function rollout(r: ComplianceReport): string {
  const o = r.rollout;
  const periods = o.monitorPeriods.length
    ? `<table><tr><th>Monitor mode from</th><th>until</th><th>set by</th></tr>${o.monitorPeriods
        .map(
          (p) =>
            `<tr><td>${esc(p.since.toISOString())}</td><td>${p.until ? esc(p.until.toISOString()) : 'now'}</td><td>${esc(p.setBy)} policy</td></tr>`,
        )
        .join('')}</table>`
    : '<p class="muted">never in monitor mode: every decision was enforced</p>';
  const where = o.monitorEnvironments.length ? o.monitorEnvironments.map(esc).join(', ') : 'no environment';
  const i = o.candidateImpact;
  const candidate =
    o.candidateSet || i.decisions
      ? `<p>Candidate policy ${o.candidateSet ? 'set' : 'no longer set'}; over the last 30 days it was measured on ${i.decisions} decision(s) and would have changed ${i.changed}: ${i.wouldBlock} more blocked, ${i.wouldApprove} more approved, ${i.wouldReview} more sent to review.</p>`
      : '<p class="muted">no candidate policy measured in the last 30 days</p>';
  return `<p>Monitor mode takes effect in ${where} (status blocks and EU AI Act Art. 5 practices are always enforced). ${o.monitoredDecisions} decision(s) were monitored, ${o.monitoredViolations} of which enforcement would have blocked or sent to review.</p>
${periods}
${candidate}`;
}
