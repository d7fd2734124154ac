import { InitialSchema1763800000000 } from './1763800000000-InitialSchema';
import { DispatchFunctions1764480000000 } from './1764480000000-DispatchFunctions';
import { ClaimByPrimaryKey1796044800000 } from './1796044800000-ClaimByPrimaryKey';
import { InboundResponses1796131200000 } from './1796131200000-InboundResponses';
import { SharedCircuitBreaker1796217600000 } from './1796217600000-SharedCircuitBreaker';
import { ListIndexes1796304000000 } from './1796304000000-ListIndexes';
import { DeliveriesByPrimaryKey1796395200000 } from './1796395200000-DeliveriesByPrimaryKey';
import { TargetLookupIndex1796481600000 } from './1796481600000-TargetLookupIndex';

/** Every migration, oldest first. Listed here (not globbed) so src and dist load the same set. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  DispatchFunctions1764480000000,
  ClaimByPrimaryKey1796044800000,
  InboundResponses1796131200000,
  SharedCircuitBreaker1796217600000,
  ListIndexes1796304000000,
  DeliveriesByPrimaryKey1796395200000,
  TargetLookupIndex1796481600000,
];
