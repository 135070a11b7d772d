/**
 * What the server gives every instance a person starts, besides the start form's data: the
 * `initiator` variable (who started it: email, name, manager, departments; see
 * app/server/services/initiator.ts). The designer's typed-variable analysis and the publisher's
 * both count it as written at the start, so `=initiator.manager` is not flagged as unknown.
 */
import type { GivenVariables } from '@/engine/validate/variables';

export const INITIATOR_VARIABLE = 'initiator';

export const STARTED_BY_VARIABLES: GivenVariables = { [INITIATOR_VARIABLE]: 'context' };
