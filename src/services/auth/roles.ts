export enum Role {
  ADMIN = 'ADMIN',
  ORDER_FULFILLMENT_MANAGER = 'ORDER_FULFILLMENT_MANAGER',
  SERVICE_ORDER_MANAGER = 'SERVICE_ORDER_MANAGER',
  TEST_MANAGER = 'TEST_MANAGER',
  VIEWER = 'VIEWER',
}

/** Who may do what (product.md, Roles). Used by @Authorized on every operation. */
export const ROLES = {
  ANY: [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER, Role.TEST_MANAGER, Role.VIEWER],
  ADMIN: [Role.ADMIN],
  ORDERS: [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER],
  TESTS: [Role.ADMIN, Role.TEST_MANAGER],
  /** Errors and exceptions: the service checks the request's subject against the caller's roles. */
  OPERATIONS: [Role.ADMIN, Role.ORDER_FULFILLMENT_MANAGER, Role.SERVICE_ORDER_MANAGER, Role.TEST_MANAGER],
} as const;

export interface AuthUser {
  /** The token's `sub`, used as the actor in audit fields. */
  id: string;
  roles: Role[];
  /** When the token stops being valid (its `exp`, in ms since the epoch); absent for the gateway's own work. */
  expiresAt?: number;
}
