import type { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { ForbiddenError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import { recordKind } from './record-kinds';

/** Order managers handle order requests (and their fallout), test managers test requests, admins both. */
export function assertMayHandle(ctx: RequestContext, request: Pick<OutboundRequestEntity, 'number' | 'subject'>): void {
  const kind = recordKind(request.subject);
  if (!ctx.user?.roles.some((r) => kind.roles.includes(r))) {
    throw new ForbiddenError(
      `Outbound request ${request.number} carries ${kind.plural}; it needs one of the roles ${kind.roles.join(', ')}`,
    );
  }
}
