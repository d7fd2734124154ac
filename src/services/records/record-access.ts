import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { ForbiddenError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import type { RecordKind } from './record-kind';
import { recordKind } from './record-kinds';

/** Order managers act on orders, test managers on test runs, admins on both. */
export function assertMayActOn(ctx: RequestContext, kind: RecordKind): void {
  if (!ctx.user?.roles.some((r) => kind.roles.includes(r))) {
    throw new ForbiddenError(`Acting on ${kind.plural} needs one of the roles ${kind.roles.join(', ')}`);
  }
}

/** Order managers handle order requests (and their fallout), test managers test requests, admins both. */
export function assertMayHandle(ctx: RequestContext, request: Pick<OutboundRequestEntity, 'number' | 'subject'>): void {
  const kind = recordKind(request.subject);
  if (!ctx.user?.roles.some((r) => kind.roles.includes(r))) {
    throw new ForbiddenError(
      `Outbound request ${request.number} carries ${kind.plural}; it needs one of the roles ${kind.roles.join(', ')}`,
    );
  }
}
