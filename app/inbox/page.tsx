import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import type { MessageKey } from '../_i18n/messages';
import { formatDate, formatDateTime } from '../_i18n/format';
import { signedInPage } from '../server/page-helpers';
import {
  DONE_RECENTLY_DAYS,
  dueFilters,
  inboxLists,
  inboxSorts,
  priorityFilters,
  HIGH_PRIORITY,
  LOW_PRIORITY,
  DEFAULT_PRIORITY,
  type InboxQuery,
} from '../server/services/inbox';
import { ClaimButton } from '../_components/task-actions';
import { BulkClaim, DeleteView, LiveInbox, SaveView, SelectAll } from '../_components/inbox-actions';

type Params = Record<string, string | string[] | undefined>;

const listLabels: Record<InboxQuery['list'], MessageKey> = {
  all: 'inboxListAll',
  mine: 'inboxListMine',
  departments: 'inboxListDepartments',
  delegated: 'inboxListDelegated',
  done: 'inboxListDone',
};
const emptyLabels: Record<InboxQuery['list'], MessageKey> = {
  all: 'inboxEmpty',
  mine: 'inboxEmptyMine',
  departments: 'inboxEmptyDepartments',
  delegated: 'inboxEmptyDelegated',
  done: 'inboxEmptyDone',
};
const dueLabels: Record<(typeof dueFilters)[number], MessageKey> = {
  overdue: 'inboxDueOverdue',
  today: 'inboxDueToday',
  week: 'inboxDueWeek',
  none: 'inboxDueNone',
};
const priorityLabels: Record<(typeof priorityFilters)[number], MessageKey> = {
  high: 'inboxPriorityHigh',
  normal: 'inboxPriorityNormal',
  low: 'inboxPriorityLow',
};
const sortLabels: Record<(typeof inboxSorts)[number], MessageKey> = {
  due: 'inboxSortDue',
  priority: 'inboxSortPriority',
  created: 'inboxSortCreated',
};

const one = (v: string | string[] | undefined) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const oneOf = <T extends string>(values: readonly T[], v: string | string[] | undefined): T | undefined => {
  const s = one(v);
  return s !== undefined && (values as readonly string[]).includes(s) ? (s as T) : undefined;
};
const matching = (pattern: RegExp, v: string | string[] | undefined) => {
  const s = one(v);
  return s !== undefined && pattern.test(s) ? s : undefined;
};

/** The page's query from its address: a value it does not know is ignored (the list shows unfiltered), never an error page. */
function queryOf(params: Params): InboxQuery {
  const q = one(params.q)?.slice(0, 200);
  const query: InboxQuery = {
    list: oneOf(inboxLists, params.list) ?? 'all',
    sort: oneOf(inboxSorts, params.sort) ?? 'due',
  };
  if (q) query.q = q;
  const process = matching(/^[a-z0-9][a-z0-9-]{0,63}$/, params.process);
  if (process) query.process = process;
  const department = matching(/^[a-z0-9][a-z0-9-]{0,63}$/, params.department);
  if (department) query.department = department;
  const due = oneOf(dueFilters, params.due);
  if (due) query.due = due;
  const priority = oneOf(priorityFilters, params.priority);
  if (priority) query.priority = priority;
  const startedBy = matching(/^[0-9a-f-]{36}$/, params.startedBy);
  if (startedBy) query.startedBy = startedBy;
  const from = matching(/^\d{4}-\d{2}-\d{2}$/, params.startedFrom);
  if (from) query.startedFrom = from;
  const to = matching(/^\d{4}-\d{2}-\d{2}$/, params.startedTo);
  if (to) query.startedTo = to;
  return query;
}

/** The address of a query (and page), with only the parts that are set. */
function hrefOf(query: Partial<InboxQuery> & { cursor?: string }): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '' && !(k === 'sort' && v === 'due') && !(k === 'list' && v === 'all'))
      search.set(k, String(v));
  const text = search.toString();
  return text ? `/inbox?${text}` : '/inbox';
}

const countText = (n: number, cap: number) => (n > cap ? `${cap}+` : String(n));

export default async function InboxPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { caller, actor, locale, t } = await signedInPage();
  const params = await searchParams;
  const query = queryOf(params);
  const cursor = matching(/^[A-Za-z0-9_-]{1,400}$/, params.cursor);
  const [page, counts, options, views] = await Promise.all([
    caller.task.inbox({ ...query, limit: 50, ...(cursor ? { cursor } : {}) }).catch(() => null),
    caller.task.counts(),
    caller.task.filterOptions(),
    caller.task.views(),
  ]);
  const filtered = Object.keys(query).some((k) => k !== 'list' && k !== 'sort');
  const { list } = query;
  const bulk =
    (list === 'departments' || list === 'all') &&
    actor.role !== 'auditor' &&
    (page?.items.some((task) => task.unassigned) ?? false);
  const listCount: Record<InboxQuery['list'], number> = {
    all: counts.all,
    mine: counts.mine,
    departments: counts.departments,
    delegated: counts.delegated,
    done: counts.done,
  };
  const done = one(params.done);
  const instance = one(params.instance);
  return (
    <>
      {done && (
        <p className="notice" role="status">
          {t('taskDone')}{' '}
          {instance && /^[0-9a-f-]{36}$/.test(instance) && (
            <Link href={`/instances/${instance}`}>{t('viewInstance')}</Link>
          )}
        </p>
      )}
      <h1>{t('inboxTitle')}</h1>
      <p className="muted">
        {t('inboxIntro')} {actor.role !== 'auditor' && <Link href="/delegations">{t('delegationsLink')}</Link>}
      </p>

      <nav className="inbox-lists" aria-label={t('inboxLists')}>
        {inboxLists.map((l) => (
          <Link
            key={l}
            href={hrefOf({ ...query, list: l })}
            aria-current={l === list ? 'page' : undefined}
            data-list={l}
          >
            {t(listLabels[l])} <span className="count">{countText(listCount[l], counts.cap)}</span>
            {l === 'mine' && counts.mineOverdue > 0 && (
              <span className="badge overdue">
                {t('inboxCountOverdue', { count: countText(counts.mineOverdue, counts.cap) })}
              </span>
            )}
          </Link>
        ))}
      </nav>

      <details className="panel inbox-filters" open={filtered || undefined}>
        <summary>{t('inboxFilters')}</summary>
        <form method="get" action="/inbox" className="filter-form">
          <input type="hidden" name="list" value={list} />
          <label className="wide">
            <span>{t('inboxSearch')}</span>
            <input
              type="search"
              name="q"
              defaultValue={query.q ?? ''}
              placeholder={t('inboxSearchHint')}
              maxLength={200}
            />
          </label>
          <label>
            <span>{t('inboxFilterProcess')}</span>
            <select name="process" defaultValue={query.process ?? ''}>
              <option value="">{t('inboxAny')}</option>
              {options.processes.map((p) => (
                <option key={p.key} value={p.key}>
                  {localize(p.name, locale)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inboxFilterDepartment')}</span>
            <select name="department" defaultValue={query.department ?? ''}>
              <option value="">{t('inboxAny')}</option>
              {options.departments.map((d) => (
                <option key={d.key} value={d.key}>
                  {localize(d.name, locale)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inboxFilterDue')}</span>
            <select name="due" defaultValue={query.due ?? ''}>
              <option value="">{t('inboxAny')}</option>
              {dueFilters.map((d) => (
                <option key={d} value={d}>
                  {t(dueLabels[d])}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inboxFilterPriority')}</span>
            <select name="priority" defaultValue={query.priority ?? ''}>
              <option value="">{t('inboxAny')}</option>
              {priorityFilters.map((p) => (
                <option key={p} value={p}>
                  {t(priorityLabels[p])}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inboxFilterStartedBy')}</span>
            <select name="startedBy" defaultValue={query.startedBy ?? ''}>
              <option value="">{t('inboxAny')}</option>
              {options.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inboxFilterStartedFrom')}</span>
            <input type="date" name="startedFrom" defaultValue={query.startedFrom ?? ''} />
          </label>
          <label>
            <span>{t('inboxFilterStartedTo')}</span>
            <input type="date" name="startedTo" defaultValue={query.startedTo ?? ''} />
          </label>
          <label>
            <span>{t('inboxSort')}</span>
            <select name="sort" defaultValue={query.sort}>
              {inboxSorts.map((s) => (
                <option key={s} value={s}>
                  {t(sortLabels[s])}
                </option>
              ))}
            </select>
          </label>
          <div className="filter-buttons">
            <button type="submit" className="primary">
              {t('inboxApply')}
            </button>
            {filtered && <Link href={hrefOf({ list })}>{t('inboxClear')}</Link>}
          </div>
        </form>
        <section className="saved-views" aria-label={t('inboxSavedViews')}>
          <h2>{t('inboxSavedViews')}</h2>
          {views.length === 0 ? (
            <p className="muted">{t('inboxNoSavedViews')}</p>
          ) : (
            <ul>
              {views.map((v) => (
                <li key={v.id}>
                  <Link href={hrefOf(v.query)}>{v.name}</Link> <DeleteView id={v.id} name={v.name} locale={locale} />
                </li>
              ))}
            </ul>
          )}
          <SaveView query={query} locale={locale} />
        </section>
      </details>

      {page && (
        <LiveInbox
          key={hrefOf({ ...query, ...(cursor ? { cursor } : {}) })}
          tasks={page.items.map((task) => ({
            id: task.id,
            name: localize(task.name ?? undefined, locale) ?? task.elementId,
          }))}
          locale={locale}
        />
      )}
      {page === null ? (
        <div className="panel notice error" role="alert">
          {t('errInboxCursor')} <Link href={hrefOf(query)}>{t('inboxFirstPage')}</Link>
        </div>
      ) : page.items.length === 0 ? (
        <div className="panel muted">
          {filtered ? t('inboxNoMatch') : t(emptyLabels[list], { days: DONE_RECENTLY_DAYS })}
        </div>
      ) : (
        <>
          {bulk && <BulkClaim locale={locale} />}
          <table className="list inbox-table" aria-label={t(listLabels[list])}>
            <thead>
              <tr>
                {bulk && (
                  <th>
                    <SelectAll label={t('inboxSelectAll')} />
                  </th>
                )}
                <th>{t('colTask')}</th>
                <th>{list === 'done' ? t('inboxColCompleted') : t('colAssignee')}</th>
                <th>{t('colProcess')}</th>
                <th>{t('colStartedBy')}</th>
                <th>{t('inboxColPriority')}</th>
                <th>{t('colDue')}</th>
                <th>{t('colCreated')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((task) => {
                const name = localize(task.name ?? undefined, locale) ?? task.elementId;
                const summary = (task.summary ?? [])
                  .map(([, v]) =>
                    typeof v === 'number'
                      ? new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US').format(v)
                      : String(v),
                  )
                  .join(' · ');
                const priority = task.priority ?? DEFAULT_PRIORITY;
                return (
                  <tr key={task.id} data-task-id={task.id} className={task.overdue ? 'overdue' : undefined}>
                    {bulk && (
                      <td data-label="">
                        {task.unassigned && (
                          <input
                            type="checkbox"
                            name="ids"
                            value={task.id}
                            form="bulk-claim"
                            aria-label={t('inboxSelect', { task: name })}
                          />
                        )}
                      </td>
                    )}
                    <td data-label="">
                      <Link href={`/tasks/${task.id}`} className="task-name">
                        {name}
                      </Link>
                      {summary && <div className="muted summary">{summary}</div>}
                    </td>
                    <td data-label={list === 'done' ? t('inboxColCompleted') : t('colAssignee')} data-assignee>
                      {list === 'done' ? (
                        task.completedAt ? (
                          formatDateTime(task.completedAt, locale)
                        ) : (
                          '—'
                        )
                      ) : task.onBehalfOf ? (
                        t('onBehalfOf', { name: task.onBehalfOf })
                      ) : task.assignedToMe ? (
                        t('assigneeMe')
                      ) : (
                        <>
                          {task.candidateGroups.length > 0 ? t('assigneeDepartment') : t('assigneeNamed')}{' '}
                          {actor.role !== 'auditor' && <ClaimButton taskId={task.id} locale={locale} compact />}
                        </>
                      )}
                    </td>
                    <td data-label={t('colProcess')}>
                      {localize(task.processName, locale)}
                      {task.businessKey && (
                        <div className="muted" data-reference>
                          {task.businessKey}
                        </div>
                      )}
                    </td>
                    <td data-label={t('colStartedBy')}>{task.startedBy}</td>
                    <td data-label={t('inboxColPriority')}>
                      <span
                        className={`priority ${priority >= HIGH_PRIORITY ? 'high' : priority <= LOW_PRIORITY ? 'low' : 'normal'}`}
                      >
                        {t(
                          priority >= HIGH_PRIORITY
                            ? 'inboxPriorityHigh'
                            : priority <= LOW_PRIORITY
                              ? 'inboxPriorityLow'
                              : 'inboxPriorityNormal',
                        )}
                        {task.priority !== null && ` (${task.priority})`}
                      </span>
                    </td>
                    <td data-label={t('colDue')} className="nowrap">
                      {task.dueDate ? formatDate(task.dueDate, locale) : '—'}{' '}
                      {task.overdue && <span className="badge overdue">{t('inboxBadgeOverdue')}</span>}
                      {task.dueToday && <span className="badge due-today">{t('inboxBadgeToday')}</span>}
                      {task.dueSoon && <span className="badge due-soon">{t('inboxBadgeSoon')}</span>}
                    </td>
                    <td data-label={t('colCreated')} className="created">
                      {formatDateTime(task.createdAt, locale)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <nav className="pager" aria-label={t(listLabels[list])}>
            {cursor && <Link href={hrefOf(query)}>{t('inboxFirstPage')}</Link>}
            {page.next && (
              <Link href={hrefOf({ ...query, cursor: page.next })} rel="next">
                {t('inboxNextPage')}
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}
