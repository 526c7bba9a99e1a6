import { InitialSchema1763900000000 } from '../../migrations/1763900000000-initial-schema';
import { Sla1763900000100 } from '../../migrations/1763900000100-sla';
import { Notifications1763900000200 } from '../../migrations/1763900000200-notifications';
import { Slack1763900000300 } from '../../migrations/1763900000300-slack';

/** Every migration, in order. Listed explicitly so the same list works from ts-jest and from dist/. */
export const MIGRATIONS = [InitialSchema1763900000000, Sla1763900000100, Notifications1763900000200, Slack1763900000300];
