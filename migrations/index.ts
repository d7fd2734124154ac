import { InitialSchema1763800000000 } from './1763800000000-InitialSchema';

/** Every migration, oldest first. Listed here (not globbed) so src and dist load the same set. */
export const MIGRATIONS = [InitialSchema1763800000000];
