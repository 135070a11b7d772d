/**
 * The data of `npm run bench:inbox`: three companies of a working size, written with set-based SQL
 * (generate_series, INSERT … SELECT) on a migrated, empty PostgreSQL database. Bench-only: the
 * process definitions and forms are published through `publishProcess`, as the designer does;
 * everything else is written directly, in the shape the services write it (task and instance
 * search documents are what engine/model/search.ts folds, names and summaries as the step writer (app/server/host/plan.ts)
 * stores them).
 *
 * What is written (defaults; BENCH_USERS and BENCH_TASKS scale it down for a quick try):
 * - 3 companies with 60 % / 30 % / 10 % of the 10,000 users; 50 departments (30 / 15 / 5), each
 *   user in one or two of them (two per department are managers); the same department keys in
 *   every company ("dept-00" …), as companies name their accounting "accounting" alike.
 * - 3 processes per company (invoice, purchase, advance payment), each start → submit → review →
 *   approve; one instance per three tasks (1,000,000 tasks, 333,334 instances).
 * - 10 % of the tasks open, one per active instance (its "approve"): 40 % assigned to a user, 50 %
 *   offered to one or two departments (skewed: the busiest department of a company gets about 10 %
 *   of its offers; a tenth offered to managers), 5 % offered to one or two users by name, 5 %
 *   assigned to users who are away and have delegated to a colleague (2 % of users).
 * - A shared service centre ("bench-big") in the largest company: 5,000 open tasks offered to it,
 *   5 members in no other department (the last is the bench's "user with 5,000 offers").
 * - Half of the assigned and completed tasks carry the department they were offered to, in the
 *   shares of the open offers (the shared service centre's too), as history does. Completed tasks
 *   completed by a user of the company, the last task of an instance within the last 90 days; instances started up to a year ago; due dates: 20 % none, 15 % overdue, the rest
 *   in the next 60 days; priority: 30 % none, else 0–100.
 *
 * Pseudo-random values come from hashint8 of the row number and a salt: the same data every run.
 */
import { foldForSearch } from '@/engine';
import type { Database } from '@/db/client';
import { publishProcess } from '@/app/server/services/definitions';

export interface SeedSize {
  users: number;
  tasks: number;
}

export const COMPANY_SHARES = [0.6, 0.3, 0.1];
export const DEPARTMENTS = [30, 15, 5];
/** Open tasks offered to the shared service centre, and its members (who belong to no other department). */
export const BIG_OFFERS = 5_000;
export const BIG_MEMBERS = 5;
export const BIG_DEPARTMENT = 'bench-big';
export const OPEN_SHARE = 0.1;

const COMPANY_NAMES = ['Công ty Cổ phần Sen Vàng', 'Công ty TNHH Hoa Sen', 'Công ty Cổ phần Mai Linh'];

const PROCESSES = [
  {
    key: 'invoice-approval',
    name: { en: 'Invoice approval', vi: 'Duyệt hóa đơn' },
    prefix: 'HD',
    share: 0.5,
    tasks: [
      { en: 'Enter the invoice', vi: 'Nhập hóa đơn' },
      { en: 'Check the invoice', vi: 'Kiểm tra hóa đơn' },
      { en: 'Approve invoice', vi: 'Duyệt hóa đơn' },
    ],
  },
  {
    key: 'purchase-request',
    name: { en: 'Purchase request', vi: 'Đề nghị mua hàng' },
    prefix: 'MH',
    share: 0.3,
    tasks: [
      { en: 'Draft the purchase request', vi: 'Lập đề nghị mua hàng' },
      { en: 'Review the purchase request', vi: 'Xem xét đề nghị mua hàng' },
      { en: 'Approve the purchase', vi: 'Duyệt mua hàng' },
    ],
  },
  {
    key: 'advance-payment',
    name: { en: 'Advance payment', vi: 'Tạm ứng' },
    prefix: 'TU',
    share: 0.2,
    tasks: [
      { en: 'Request an advance', vi: 'Đề nghị tạm ứng' },
      { en: 'Check the advance', vi: 'Kiểm tra tạm ứng' },
      { en: 'Approve the advance payment', vi: 'Duyệt thanh toán tạm ứng' },
    ],
  },
];
const ELEMENTS = ['submit', 'review', 'approve'];

export const VENDORS = [
  'Công ty Hòa Bình',
  'Công ty TNHH Minh Phát',
  'Công ty CP Sao Mai',
  'Công ty Thành Công',
  'Công ty Việt Tiến',
  'Công ty An Khang',
  'Công ty Phú Thịnh',
  'Công ty Đại Dương',
  'Công ty Hưng Thịnh',
  'Công ty Tân Hiệp',
  'Công ty Bảo Long',
  'Công ty Trường Sơn',
  'Công ty Ánh Dương',
  'Công ty Nam Việt',
  'Công ty Kim Cương',
  'Công ty Hải Âu',
  'Công ty Đông Á',
  'Công ty Lạc Hồng',
  'Công ty Thiên Phúc',
  'Công ty Quang Minh',
];

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Đức', 'Ngọc', 'Thanh', 'Quốc'];
const GIVEN = [
  'An',
  'Bình',
  'Chi',
  'Dũng',
  'Giang',
  'Hà',
  'Hải',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Phúc',
  'Quân',
  'Sơn',
  'Thảo',
  'Trang',
  'Tuấn',
  'Vy',
  'Yến',
];

/** Users per company, in order (the last company takes the rounding). */
export function companySizes(users: number): number[] {
  const sizes = COMPANY_SHARES.slice(0, -1).map((share) => Math.round(users * share));
  return [...sizes, users - sizes.reduce((a, b) => a + b, 0)];
}

// ---- SQL helpers: literals and deterministic pseudo-random expressions --------------------------

const text = (s: string) => `'${s.replace(/'/g, "''")}'`;
const textArray = (xs: string[]) => `(array[${xs.map(text).join(', ')}]::text[])`;
const intArray = (xs: number[]) => `(array[${xs.join(', ')}]::int[])`;
const uuidArray = (xs: string[]) => `(array[${xs.map(text).join(', ')}]::uuid[])`;
/** A uniform value in [0, 1) from a row number and a salt (the same every run). */
const r = (key: string, salt: number) =>
  `((hashint8((${key})::int8 * 7919 + ${salt})::int8 + 2147483648) / 4294967296.0::float8)`;
/** A uniform integer in [0, m). */
/** The sum of shares[0..i], rounded (0.6 + 0.3 is 0.8999999999999999 in floating point). */
const cumulative = (shares: number[], i: number) =>
  Number(
    shares
      .slice(0, i + 1)
      .reduce((a, b) => a + b, 0)
      .toFixed(6),
  );
const ri = (key: string, salt: number, m: string | number) => `floor(${r(key, salt)} * (${m}))::int`;

export const userIdSql = (n: string) => `md5('bench-user-' || (${n}))::uuid`;
const tenantIdSql = (c: string) => `md5('bench-tenant-' || (${c}))::uuid`;
const groupIdSql = (c: string, key: string) => `md5('bench-group-' || (${c}) || '-' || (${key}))::uuid`;
const departmentKey = (d: string) => `('dept-' || lpad((${d})::text, 2, '0'))`;

/** Seeds the database behind `db` (migrated and empty) through `exec` (one connection: its temporary tables); logs the time of each part. */
export async function seedInbox(
  db: Database,
  exec: (sql: string) => Promise<unknown>,
  size: SeedSize,
  log: (line: string) => void,
): Promise<void> {
  const sizes = companySizes(size.users);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const open = Math.round(size.tasks * OPEN_SHARE);
  const instances = Math.ceil(size.tasks / 3);
  if (open * 3 > size.tasks || BIG_OFFERS > open || sizes.some((s) => s < 60))
    throw new Error(
      `BENCH_TASKS ${size.tasks} / BENCH_USERS ${size.users} are too small for the seed's shape; use at least 60,000 tasks and 600 users.`,
    );
  const SIZE = (c: string) => `${intArray(sizes)}[(${c}) + 1]`;
  const OFFSET = (c: string) => `${intArray(offsets)}[(${c}) + 1]`;
  const DEPTS = (c: string) => `${intArray(DEPARTMENTS)}[(${c}) + 1]`;
  const userOf = (c: string, k: string) => userIdSql(`${OFFSET(c)} + (${k})`);
  const companyOfUser = (n: string) =>
    `(case ${offsets
      .slice(1)
      .map((o, i) => `when (${n}) < ${o} then ${i}`)
      .join(' ')} else ${sizes.length - 1} end)`;
  // Delegators: users k ≡ 7 (mod 50), below the shared service centre's members at the end.
  const delegators = (c: string) => `((${SIZE(c)} - ${BIG_MEMBERS + 1} - 7) / 50 + 1)`;

  const step = async (label: string, sql: string) => {
    const t0 = performance.now();
    await exec(sql);
    log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };

  await step(
    'companies, users, memberships',
    `
    insert into tenants (id, slug, name) select ${tenantIdSql('c')}, 'bench-' || c, ${textArray(COMPANY_NAMES)}[c + 1] from generate_series(0, 2) c;
    insert into users (id, email, display_name, locale, email_verified)
      select ${userIdSql('n')}, 'user' || n || '@bench.example',
        ${textArray(FAMILY)}[1 + n % ${FAMILY.length}] || ' ' || ${textArray(MIDDLE)}[1 + (n / 10) % ${MIDDLE.length}] || ' ' || ${textArray(GIVEN)}[1 + (n / 70) % ${GIVEN.length}],
        case when n % 5 = 0 then 'en' else 'vi' end, true
      from generate_series(0, ${size.users - 1}) n;
    insert into memberships (tenant_id, user_id, role)
      select ${tenantIdSql('c')}, ${userIdSql('n')}, case when k = 0 then 'admin' when k < 4 then 'designer' else 'staff' end
      from generate_series(0, ${size.users - 1}) n, lateral (select ${companyOfUser('n')} as c) a, lateral (select n - ${OFFSET('c')} as k) b;`,
  );

  await step(
    'departments, their members, delegations',
    `
    insert into groups (id, tenant_id, key, name)
      select ${groupIdSql('c', departmentKey('d'))}, ${tenantIdSql('c')}, ${departmentKey('d')}, jsonb_build_object('en', 'Department ' || (d + 1), 'vi', 'Phòng ' || (d + 1))
      from generate_series(0, 2) c, lateral generate_series(0, ${DEPTS('c')} - 1) d;
    insert into groups (id, tenant_id, key, name) values (${groupIdSql('0', text(BIG_DEPARTMENT))}, ${tenantIdSql('0')}, ${text(BIG_DEPARTMENT)}, '{"en": "Shared service centre", "vi": "Trung tâm dịch vụ chung"}');
    create temp table bench_people as
      select n, c, k, k >= ${SIZE('c')} - ${BIG_MEMBERS} and c = 0 as big, k % ${DEPTS('c')} as d1,
        case when ${r('n', 11)} < 0.3 then (k % ${DEPTS('c')} + 1 + ${ri('n', 12, `${DEPTS('c')} - 1`)}) % ${DEPTS('c')} end as d2
      from generate_series(0, ${size.users - 1}) n, lateral (select ${companyOfUser('n')} as c) a, lateral (select n - ${OFFSET('c')} as k) b;
    insert into group_members (tenant_id, group_id, user_id, role)
      select ${tenantIdSql('c')}, ${groupIdSql('c', departmentKey('d1'))}, ${userIdSql('n')}, case when k < 2 * ${DEPTS('c')} then 'manager' else 'member' end from bench_people where not big
      union all
      select ${tenantIdSql('c')}, ${groupIdSql('c', departmentKey('d2'))}, ${userIdSql('n')}, 'member' from bench_people where not big and d2 is not null
      union all
      select ${tenantIdSql('c')}, ${groupIdSql('c', text(BIG_DEPARTMENT))}, ${userIdSql('n')}, 'member' from bench_people where big;
    insert into delegations (tenant_id, delegator_id, delegate_id, starts_at, ends_at, reason, revoked_at)
      select ${tenantIdSql('c')}, ${userIdSql('n')}, ${userOf('c', `(k + 1 + ${ri('n', 60, `${SIZE('c')} - 1`)}) % ${SIZE('c')}`)},
        case when k % 50 = 23 then now() - interval '60 days' else now() - make_interval(days => 1 + ${ri('n', 61, 10)}) end,
        case when k % 50 = 23 then now() - interval '30 days' else now() + make_interval(days => 1 + ${ri('n', 62, 14)}) end,
        'Nghỉ phép', case when k % 50 = 37 then now() - interval '1 day' end
      from bench_people where k % 50 in (7, 23, 37) and not big and k < ${SIZE('c')} - ${BIG_MEMBERS};`,
  );

  // Processes: published as the designer does, one set per company; their ids and forms' ids go into the SQL below as literals.
  const t0 = performance.now();
  const definitionIds: string[] = [];
  const formIds: string[] = [];
  for (let c = 0; c < sizes.length; c++) {
    const [tenant] = (await exec(`select ${tenantIdSql(String(c))} as id`)) as { id: string }[];
    for (const p of PROCESSES) {
      const row = await publishProcess(
        db,
        tenant!.id,
        {
          definition: {
            formatVersion: 1,
            key: p.key,
            version: 1,
            name: p.name,
            startForm: `${p.key}-start`,
            businessKey: 'reference',
            summary: ['vendor', 'amount'],
            elements: [
              { id: 'start', type: 'startEvent' },
              ...ELEMENTS.map((id, e) => ({
                id,
                type: 'userTask',
                name: p.tasks[e],
                formKey: `${p.key}-task`,
                candidateGroups: ['dept-00'],
                priority: '=if amount > 100000000 then 90 else 40',
                dueDate: 'due',
              })),
              { id: 'end', type: 'endEvent' },
            ],
            flows: [
              { id: 'f1', source: 'start', target: 'submit' },
              { id: 'f2', source: 'submit', target: 'review' },
              { id: 'f3', source: 'review', target: 'approve' },
              { id: 'f4', source: 'approve', target: 'end' },
            ],
          },
          forms: [
            {
              key: `${p.key}-start`,
              version: 1,
              title: { en: 'Start', vi: 'Bắt đầu' },
              schema: {
                type: 'object',
                properties: {
                  reference: { type: 'string' },
                  vendor: { type: 'string' },
                  amount: { type: 'number' },
                  due: { type: 'string', format: 'date' },
                },
              },
            },
            {
              key: `${p.key}-task`,
              version: 1,
              title: { en: 'Decision', vi: 'Quyết định' },
              schema: {
                type: 'object',
                required: ['decision'],
                properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
              },
            },
          ],
        },
        null,
      );
      definitionIds.push(row.id);
      formIds.push(row.formIds[`${p.key}-task`]!);
    }
  }
  log(
    `  process definitions and forms (publishProcess × ${definitionIds.length}): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const P = PROCESSES.length;
  const cp = (c: string, p: string) => `(${c}) * ${P} + (${p}) + 1`;
  const processOf = (x: string) =>
    `(case ${PROCESSES.slice(0, -1)
      .map(
        (_, i) =>
          `when ${x} < ${cumulative(
            PROCESSES.map((q) => q.share),
            i,
          )} then ${i}`,
      )
      .join(' ')} else ${P - 1} end)`;
  const companyOfInstance = `(case when j < ${BIG_OFFERS} then 0 else (case ${COMPANY_SHARES.slice(0, -1)
    .map((_, i) => `when ${r('j', 1)} < ${cumulative(COMPANY_SHARES, i)} then ${i}`)
    .join(' ')} else ${COMPANY_SHARES.length - 1} end) end)`;
  const vendorNames = textArray(VENDORS);
  const vendorFolded = textArray(VENDORS.map(foldForSearch));
  const taskNames = PROCESSES.flatMap((p) => p.tasks);

  // One row per instance: its company, process, case data and times, shared by the instance row and its three tasks.
  await step(
    `instance facts (${instances.toLocaleString('en')})`,
    `
    create temp table bench_facts as
      select j, md5('bench-instance-' || j)::uuid as id, c, ${processOf('x')} as p, ${ri('j', 34, VENDORS.length)} as v, (1 + ${ri('j', 35, 400)}) * 500000 as amount,
        ${ri('j', 36, SIZE('c'))} as starter, j < ${open} as active,
        case when j < ${open} then now() - make_interval(secs => ${r('j', 30)} ^ 2 * 365 * 86400)
          else now() - make_interval(secs => ${r('j', 31)} * 90 * 86400) - make_interval(secs => ${r('j', 32)} ^ 3 * 275 * 86400) end as started_at,
        case when j >= ${open} then now() - make_interval(secs => ${r('j', 31)} * 90 * 86400) end as ended_at
      from generate_series(0, ${instances - 1}) j, lateral (select ${companyOfInstance} as c, ${r('j', 33)} as x) a;
    alter table bench_facts add primary key (j);`,
  );

  await step(
    `process_instances (${instances.toLocaleString('en')})`,
    `
    insert into process_instances (id, tenant_id, definition_id, business_key, status, outcome, state, version, started_by, created_at, ended_at, search)
      select id, ${tenantIdSql('c')}, ${uuidArray(definitionIds)}[${cp('c', 'p')}], bk, case when active then 'active' else 'completed' end, case when not active then 'approved' end,
        jsonb_build_object('formatVersion', 1, 'definition', jsonb_build_object('key', ${textArray(PROCESSES.map((p) => p.key))}[p + 1], 'version', 1),
          'status', case when active then 'active' else 'completed' end, 'active', case when active then '["approve"]'::jsonb else '[]'::jsonb end,
          'variables', jsonb_build_object('reference', bk, 'vendor', ${vendorNames}[v + 1], 'amount', amount)),
        case when active then 3 else 4 end, ${userOf('c', 'starter')}, started_at, ended_at,
        to_tsvector('simple', lower(replace(bk, '-', ' ')) || ' ' || ${vendorFolded}[v + 1] || ' ' || amount)
      from (select f.*, ${textArray(PROCESSES.map((p) => p.prefix))}[p + 1] || '-' || extract(year from started_at) || '-' || lpad(j::text, 6, '0') as bk
            from bench_facts f order by started_at) s;`,
  );

  // Tasks in the order they were created, as a table fills: the open ones mostly among the newest pages.
  const kind = `(case when f.j < ${BIG_OFFERS} then 'big' else (case when ${ri('f.j', 50, 100)} < 40 then 'assigned' when ${ri('f.j', 50, 100)} < 90 then 'departments'
    when ${ri('f.j', 50, 100)} < 95 then 'named' else 'delegated' end) end)`;
  // Tasks claimed or completed carry the groups they were offered to, in the shares of today's offers: the statistics see history as it is.
  const bigShare = BIG_OFFERS / (BIG_OFFERS + (open - BIG_OFFERS) * COMPANY_SHARES[0]! * 0.5);
  const busiest = `floor(${DEPTS('f.c')} * ${r('f.j', 47)} ^ 1.5)::int`;
  await step(
    `tasks (${size.tasks.toLocaleString('en')}, ${open.toLocaleString('en')} open)`,
    `
    insert into tasks (tenant_id, instance_id, element_id, name, form_id, assignee_id, candidate_groups, candidate_user_ids, candidate_role, status, due_date, data,
        created_at, created_by, completed_at, completed_by, priority, summary, search)
      select ${tenantIdSql('f.c')}, f.id, ${textArray(ELEMENTS)}[g.e + 1],
        jsonb_build_object('en', ${textArray(taskNames.map((t) => t.en))}[f.p * 3 + g.e + 1], 'vi', ${textArray(taskNames.map((t) => t.vi))}[f.p * 3 + g.e + 1]),
        ${uuidArray(formIds)}[${cp('f.c', 'f.p')}],
        case when not k.open then ${userOf('f.c', ri('g.n', 40, SIZE('f.c')))}
          when k.kind = 'assigned' then ${userOf('f.c', ri('f.j', 41, SIZE('f.c')))}
          when k.kind = 'delegated' then ${userOf('f.c', `7 + 50 * ${ri('f.j', 42, delegators('f.c'))}`)} end,
        case when k.kind = 'big' and k.open then array[${text(BIG_DEPARTMENT)}]
          when k.kind = 'departments' and k.open then
            case when ${r('f.j', 44)} < 0.8 then array[${departmentKey(busiest)}]
              else array[${departmentKey(busiest)}, ${departmentKey(`(${busiest} + 1 + ${ri('f.j', 48, `${DEPTS('f.c')} - 1`)}) % ${DEPTS('f.c')}`)}] end
          when (k.kind = 'assigned' or not k.open) and ${r('g.n', 45)} < 0.5 then
            case when f.c = 0 and ${r('g.n', 63)} < ${bigShare.toFixed(4)} then array[${text(BIG_DEPARTMENT)}] else array[${departmentKey(`floor(${DEPTS('f.c')} * ${r('g.n', 46)} ^ 1.5)::int`)}] end
          else '{}'::text[] end,
        case when k.kind = 'named' and k.open then
          array[${userOf('f.c', ri('f.j', 49, SIZE('f.c')))}] || case when ${r('f.j', 51)} < 0.5 then array[${userOf('f.c', ri('f.j', 52, SIZE('f.c')))}] else '{}'::uuid[] end
          else '{}'::uuid[] end,
        case when k.kind = 'departments' and k.open and ${r('f.j', 53)} < 0.1 then 'manager' else 'member' end,
        case when k.open then 'open' else 'completed' end,
        case when k.open then (case when ${r('f.j', 54)} < 0.2 then null when ${r('f.j', 54)} < 0.35 then current_date - (1 + ${ri('f.j', 55, 30)}) else current_date + ${ri('f.j', 56, 60)} end)
          else (case when ${r('g.n', 57)} < 0.2 then null else k.created_at::date + ${ri('g.n', 57, 14)} end) end,
        case when not k.open then '{"decision": "approve"}'::jsonb end,
        k.created_at, ${userOf('f.c', 'f.starter')},
        case when not k.open then k.done_at end, case when not k.open then ${userOf('f.c', ri('g.n', 40, SIZE('f.c')))} end,
        case when ${r('g.n', 58)} < 0.3 then null else ${ri('g.n', 59, 101)} end,
        jsonb_build_object('vendor', ${vendorNames}[f.v + 1], 'amount', f.amount),
        to_tsvector('simple', ${textArray(taskNames.map((t) => foldForSearch(`${t.en} ${t.vi}`)))}[f.p * 3 + g.e + 1] || ' ' || ${vendorFolded}[f.v + 1] || ' ' || f.amount)
      from (select n, n / 3 as j, n % 3 as e from generate_series(0, ${size.tasks - 1}) n) g
      join bench_facts f on f.j = g.j,
      lateral (select f.active and g.e = 2 as open, ${kind} as kind,
        f.started_at + (coalesce(f.ended_at, now()) - f.started_at) * (g.e / 3.0) as created_at,
        f.started_at + (coalesce(f.ended_at, now()) - f.started_at) * ((g.e + 1) / 3.0) as done_at) k
      order by k.created_at;`,
  );
  await exec('drop table bench_facts; drop table bench_people');
}
