import { InitialSchema1763900000000 } from '../../migrations/1763900000000-initial-schema';

/** Every migration, in order. Listed explicitly so the same list works from ts-jest and from dist/. */
export const MIGRATIONS = [InitialSchema1763900000000];
