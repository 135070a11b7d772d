/**
 * One audit event of an instance as a sentence in the reader's language, for the history on the
 * instance page (and wherever else the timeline is shown): elements, departments, people and a
 * decision's option by their names, never by their keys ("Tạo công việc … cho Kế toán", not
 * "… cho accounting"; "— Đồng ý", not "— approve"). Pure: the names come with the instance.
 */
import { localize, type LocalizedText } from '@/engine/model/definition';
import { fieldSchemas, localizeFormSchema, type JsonSchema, type LocalizableForm } from '@/engine/forms/form';
import type { Locale, Translate } from '../_i18n/messages';

export interface HistoryEvent {
  type: string;
  elementId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
}

/** What an instance knows of the names its history mentions (instance.get gives each). */
export interface HistorySources {
  /** Elements' and flows' names by id. */
  names: Record<string, LocalizedText | null>;
  /** Departments' names by key. */
  departments?: Record<string, LocalizedText>;
  /** People's names by lower-case address. */
  people?: Record<string, string>;
  /** The forms the instance's data was entered with: their options' labels name a decision. */
  forms?: (LocalizableForm & { uiSchema?: Record<string, unknown> })[];
}

export interface HistoryNames {
  element(id: string | null): string;
  department(key: string): string;
  person(address: string): string;
  /** The label of `value` among the options of the field `field`, if a form offers it. */
  choice(field: string, value: string): string | undefined;
}

export function historyNames(sources: HistorySources, locale: Locale): HistoryNames {
  const localized = (sources.forms ?? []).map((f) => ({
    schema: localizeFormSchema(f, locale),
    uiSchema: f.uiSchema ?? {},
  }));
  return {
    element: (id) => (id ? (localize(sources.names[id] ?? undefined, locale) ?? id) : ''),
    department: (key) => localize(sources.departments?.[key], locale) ?? key,
    person: (address) => sources.people?.[address.trim().toLowerCase()] ?? address,
    choice: (field, value) => {
      for (const { schema, uiSchema } of localized) {
        for (const s of fieldSchemas(schema, field)) {
          const label = optionLabel(s, (uiSchema[field] ?? {}) as Record<string, unknown>, value);
          if (label !== undefined) return label;
        }
      }
      return undefined;
    },
  };
}

/** A choice's label: the `title` of its `oneOf`/`anyOf` entry, or its `ui:enumNames` entry for a plain `enum`. */
function optionLabel(schema: JsonSchema, ui: Record<string, unknown>, value: string): string | undefined {
  for (const list of [schema.oneOf, schema.anyOf]) {
    if (!Array.isArray(list)) continue;
    const option = (list as JsonSchema[]).find((o) => o !== null && typeof o === 'object' && o.const === value);
    if (option && typeof option.title === 'string') return option.title;
  }
  if (Array.isArray(schema.enum) && Array.isArray(ui['ui:enumNames'])) {
    const label = (ui['ui:enumNames'] as unknown[])[(schema.enum as unknown[]).indexOf(value)];
    if (typeof label === 'string') return label;
  }
  return undefined;
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function outcomeLabel(outcome: string, t: Translate): string {
  return outcome === 'approved' || outcome === 'rejected' ? t(`outcome_${outcome}`) : outcome;
}

export function describeEvent(event: HistoryEvent, names: HistoryNames, t: Translate): string {
  const data = event.data;
  const element = names.element(event.elementId);
  const actor = event.actor ?? '—';
  switch (event.type) {
    case 'instance.started':
      return t('ev_instanceStarted', { actor });
    case 'task.created': {
      const groups = strings(data.candidateGroups).map(names.department).join(', ');
      // Whom it was for: its departments (their managers, if so), and the people the process named.
      const people = [...strings([data.assignee]), ...strings(data.candidateUsers)].map(names.person);
      const whom = [
        ...(groups ? [data.candidateRole === 'manager' ? t('managersOf', { groups }) : groups] : []),
        ...people,
      ].join(', ');
      return t('ev_taskCreated', { element, groups: whom || t('nobody') });
    }
    case 'task.completed': {
      const submission = (data.submission ?? {}) as Record<string, unknown>;
      const decision =
        typeof submission.decision === 'string'
          ? ` — ${names.choice('decision', submission.decision) ?? submission.decision}`
          : '';
      // Under a delegation the audit row names both: the delegate acting, and on whose behalf.
      if (typeof data.onBehalfOfName === 'string')
        return t('ev_taskCompletedOnBehalf', { actor, element, behalf: data.onBehalfOfName }) + decision;
      return t('ev_taskCompleted', { actor, element }) + decision;
    }
    case 'comment.added':
      return t('ev_commentAdded', { actor });
    case 'file.attached':
      return t('ev_caseFileAttached', { actor, name: String(data.name ?? '') });
    case 'task.claimed':
      return t('ev_taskClaimed', { actor, element });
    case 'task.unclaimed':
      return t('ev_taskUnclaimed', { actor, element });
    case 'task.reassigned':
      // The assignee left the company (members.removeMember): the task went back to its departments.
      if (data.memberRemoved === true)
        return t('ev_taskReturnedMemberRemoved', {
          actor,
          element,
          from: typeof data.fromName === 'string' ? data.fromName : '—',
        });
      return t('ev_taskReassigned', {
        actor,
        element,
        from: typeof data.fromName === 'string' ? data.fromName : t('nobody'),
        to: String(data.toName ?? '—'),
      });
    case 'element.completed': {
      // A gateway's flow by its own name (an unnamed flow adds nothing).
      const flow = typeof data.flowId === 'string' ? names.element(data.flowId) : null;
      return flow && flow !== data.flowId && data.elementType === 'exclusiveGateway'
        ? t('ev_flowTaken', { element, flow })
        : t('ev_elementCompleted', { element });
    }
    case 'instance.completed':
      return t('ev_instanceCompleted') + (typeof data.outcome === 'string' ? `: ${outcomeLabel(data.outcome, t)}` : '');
    case 'task.cancelled':
      return t('ev_taskCancelled', { element });
    case 'incident.raised':
      return t('ev_incidentRaised', { element, message: String(data.message ?? '') });
    case 'incident.retried':
      return t('ev_incidentRetried', { actor, element });
    case 'instance.terminated':
      return t('ev_instanceTerminated', { actor, reason: String(data.reason ?? data.by ?? '') });
    case 'instance.cancelled':
      return t('ev_instanceCancelled', { actor, reason: String(data.reason ?? '') });
    case 'email.resent': {
      // By an admin ("Send now"), or by the worker's held-mail sweep (no actor).
      const values = { actor, subject: String(data.subject ?? ''), error: String(data.error ?? '') };
      if (data.by === 'held-mail') return t(data.status === 'sent' ? 'ev_emailHeldSent' : 'ev_emailHeldFailed', values);
      return t(data.status === 'sent' ? 'ev_emailResent' : 'ev_emailResendFailed', values);
    }
    default:
      return event.type;
  }
}
