/**
 * The company's people and departments as forms name them: a *person* field holds a member's
 * e-mail, a *department* field a department's key. The form renderer offers them to choose from
 * (member.directory), and a submission naming someone or something the company does not have is
 * refused naming the field — a person field is "a member of the company", not any address.
 */
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { JsonSchema } from '@/engine';
import { topLevelFields } from '@/engine/forms/form';
import type { LocalizedText } from '@/engine/model/definition';
import type { Executor } from '@/db/client';
import { groups, memberships, users } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError, type FieldError } from '../errors';
import { membersNamed } from './task-people';

/** Most people and departments a form's choices list (a company past it types the address). */
export const DIRECTORY_LIMIT = 5_000;
/** Most person and department values one submission may hold. */
const MAX_NAMED = 1_000;

export async function companyDirectory(
  db: Executor,
  actor: Actor,
): Promise<{ people: { name: string; email: string }[]; departments: { key: string; name: LocalizedText }[] }> {
  const [people, departments] = await Promise.all([
    // The people a person field takes (membersNamed): members who work, not auditors.
    db
      .select({ name: users.displayName, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, actor.tenantId), ne(memberships.role, 'auditor')))
      .orderBy(asc(users.displayName))
      .limit(DIRECTORY_LIMIT),
    db
      .select({ key: groups.key, name: groups.name })
      .from(groups)
      .where(eq(groups.tenantId, actor.tenantId))
      .orderBy(asc(groups.key))
      .limit(DIRECTORY_LIMIT),
  ]);
  return { people, departments };
}

type Ui = Record<string, unknown>;
const widgetOf = (ui: unknown): unknown =>
  ui !== null && typeof ui === 'object' ? (ui as Ui)['ui:widget'] : undefined;

/** The person and department values of a submission, with where they are (`lines.0.approver`). */
function namedValues(schema: JsonSchema, uiSchema: Ui, data: Record<string, unknown>) {
  const found: { kind: 'person' | 'department'; path: string[]; value: string }[] = [];
  const take = (kind: unknown, path: string[], value: unknown) => {
    if (
      (kind === 'person' || kind === 'department') &&
      typeof value === 'string' &&
      value !== '' &&
      found.length <= MAX_NAMED
    )
      found.push({ kind, path, value });
  };
  for (const [key, field] of topLevelFields(schema)) {
    if (!Object.hasOwn(data, key)) continue;
    const value = data[key];
    take(widgetOf(uiSchema[key]), [key], value);
    const itemsUi = (uiSchema[key] as Ui | undefined)?.items;
    if (Array.isArray(value) && field.items && itemsUi && typeof itemsUi === 'object') {
      value.forEach((row, index) => {
        if (row === null || typeof row !== 'object') return;
        for (const [column, cell] of Object.entries(row as Record<string, unknown>))
          take(widgetOf((itemsUi as Ui)[column]), [key, String(index), column], cell);
      });
    }
  }
  return found;
}

/**
 * Refuses a submission whose person fields name no member of the company, or department fields no
 * department; names each field. `actor`: the company and language of whoever sent it (a person, or
 * an API key starting a process).
 */
export async function checkNamedValues(
  db: Executor,
  actor: Pick<Actor, 'tenantId' | 'locale'>,
  form: { schema: JsonSchema; uiSchema: Ui },
  data: Record<string, unknown>,
  titles: () => Record<string, string>,
): Promise<void> {
  const values = namedValues(form.schema, form.uiSchema ?? {}, data);
  if (values.length === 0) return;
  const t = translator(actor.locale);
  if (values.length > MAX_NAMED) throw new AppError('BAD_REQUEST', t('formErrTooManyNamed', { limit: MAX_NAMED }));
  const keys = [...new Set(values.filter((v) => v.kind === 'department').map((v) => v.value))];
  // People as a task's assignee is resolved (task-people.ts): a member who works, by e-mail in any case.
  const [members, departments] = await Promise.all([
    membersNamed(
      db,
      actor.tenantId,
      values.filter((v) => v.kind === 'person').map((v) => v.value),
    ),
    keys.length === 0
      ? []
      : db
          .select({ key: groups.key })
          .from(groups)
          .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.key, keys))),
  ]);
  const known = new Set([
    ...[...members.keys()].map((m) => `person:${m}`),
    ...departments.map((d) => `department:${d.key}`),
  ]);
  const names = titles();
  const errors: FieldError[] = values
    .filter((v) => !known.has(`${v.kind}:${v.kind === 'person' ? v.value.trim().toLowerCase() : v.value}`))
    .map((v) => {
      const label = names[v.path[0]!] ?? v.path.join('.');
      return {
        field: v.path.join('.'),
        label,
        message: t(v.kind === 'person' ? 'formErrNotMember' : 'formErrNoDepartment', { value: v.value.slice(0, 200) }),
      };
    });
  if (errors.length > 0)
    throw new AppError('BAD_REQUEST', errors.map((e) => `${e.label}: ${e.message}`).join(' '), errors);
}
