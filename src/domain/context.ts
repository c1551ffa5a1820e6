export type Role = 'admin' | 'dev' | 'auditor' | 'app';
export const ROLES: readonly Role[] = ['admin', 'dev', 'auditor', 'app'];

/** RequestContext is built once per call from the verified token and passed down explicitly. */
export interface RequestContext {
  /** The only source of the tenant: the verified token's tenant_id claim. */
  readonly tenantId: string;
  readonly subject: string;
  readonly role: Role;
  readonly requestId: string;
  /** Token expiry in epoch seconds; long-lived streams end when it passes. */
  readonly expiresAt: number;
}
