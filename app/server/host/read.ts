/**
 * How a command's one read takes an instance (the hot path reads it along with what the command
 * needs, and the database clock, in one statement).
 */
import type { InstanceState } from '@/engine';
import { processDefinitions, processInstances } from '@/db/schema';

/** What a command knows of the instance it steps (read in its one read). */
export interface InstanceRead {
  id: string;
  tenantId: string;
  version: number;
  status: string;
  state: InstanceState;
  auditHead: string | null;
  parentId: string | null;
  definitionId: string;
}

/** How one read statement selects an instance's fields (table alias `i`). */
export const INSTANCE_COLUMNS = `i.id as "id", i.tenant_id as "tenantId", i.version as "version", i.status as "status", i.state as "state", i.audit_head as "auditHead", i.parent_id as "parentId", i.definition_id as "definitionId"`;

/** An instance with its definition version, as the transaction form loads it (drizzle select fields). */
export const INSTANCE_WITH_DEFINITION = {
  id: processInstances.id,
  tenantId: processInstances.tenantId,
  version: processInstances.version,
  status: processInstances.status,
  state: processInstances.state,
  parentId: processInstances.parentId,
  def: {
    id: processDefinitions.id,
    tenantId: processDefinitions.tenantId,
    definition: processDefinitions.definition,
    formIds: processDefinitions.formIds,
    decisionIds: processDefinitions.decisionIds,
  },
};
