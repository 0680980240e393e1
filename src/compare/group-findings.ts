import { createHash } from 'node:crypto';
import type { Finding } from '../model/finding.js';

/**
 * Gives the findings of one cause across fixtures a shared `group` id: the same kind at the same
 * path (or header) in fixtures of one service — or, for whole-exchange findings, the same kind
 * with the same observed value (every fixture answered 401). Unverified fixtures are grouped by
 * route only: each lacks its own recordings. Mutates the findings it is given (they are fresh).
 */
export function groupFindings(findings: Finding[]): void {
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i]!;
    const subject =
      finding.kind === 'unverified' ? finding.route : finding.path !== undefined ? `${finding.path}\u0000${finding.to ?? ''}` : JSON.stringify(finding.actual ?? null);
    const group = createHash('sha1')
      .update([finding.service ?? '', finding.kind, finding.severity, subject].join('\u0000'))
      .digest('hex')
      .slice(0, 12);
    findings[i] = { ...finding, group };
  }
}
