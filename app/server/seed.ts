/**
 * The demo company: Công ty Cổ phần Sen Vàng, with named staff in the seven back-office
 * departments and every template in definitions/ published. Idempotent: runs once per database.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import {
  accounts,
  groupMembers,
  groups,
  memberships,
  tenants,
  users,
  type GroupRole,
  type MemberRole,
} from '@/db/schema';
import type { LocalizedText } from '@/engine';
import { hashPassword } from './passwords';
import { publishProcess } from './services/definitions';
import { loadTemplatePacks } from './templates';

export const DEMO_TENANT_SLUG = 'sen-vang';

/** Every demo person's password: printed in the README, for local use only. */
export const DEMO_PASSWORD = 'senvang-demo';

export const DEMO_DEPARTMENTS: { key: string; name: LocalizedText }[] = [
  { key: 'accounting', name: { en: 'Accounting', vi: 'Kế toán' } },
  { key: 'hr', name: { en: 'Human resources', vi: 'Nhân sự' } },
  { key: 'it', name: { en: 'IT', vi: 'Công nghệ thông tin' } },
  { key: 'data', name: { en: 'Data analysis', vi: 'Phân tích dữ liệu' } },
  { key: 'compliance', name: { en: 'Compliance', vi: 'Tuân thủ' } },
  { key: 'risk', name: { en: 'Risk management', vi: 'Quản trị rủi ro' } },
  { key: 'operations', name: { en: 'Operations', vi: 'Vận hành' } },
];

interface DemoUser {
  email: string;
  displayName: string;
  title: string;
  role: MemberRole;
  department: string | null;
  departmentRole: GroupRole;
}

export const DEMO_USERS: DemoUser[] = [
  {
    email: 'lan.nguyen@senvang.example',
    displayName: 'Nguyễn Thị Lan',
    title: 'Kế toán trưởng',
    role: 'staff',
    department: 'accounting',
    departmentRole: 'manager',
  },
  {
    email: 'hung.tran@senvang.example',
    displayName: 'Trần Văn Hùng',
    title: 'Kế toán viên',
    role: 'staff',
    department: 'accounting',
    departmentRole: 'member',
  },
  {
    email: 'mai.le@senvang.example',
    displayName: 'Lê Thị Mai',
    title: 'Trưởng phòng Nhân sự',
    role: 'staff',
    department: 'hr',
    departmentRole: 'manager',
  },
  {
    email: 'tuan.pham@senvang.example',
    displayName: 'Phạm Minh Tuấn',
    title: 'Quản trị hệ thống',
    role: 'staff',
    department: 'it',
    departmentRole: 'manager',
  },
  {
    email: 'trang.hoang@senvang.example',
    displayName: 'Hoàng Thu Trang',
    title: 'Chuyên viên phân tích dữ liệu',
    role: 'designer',
    department: 'data',
    departmentRole: 'manager',
  },
  {
    email: 'anh.vu@senvang.example',
    displayName: 'Vũ Đức Anh',
    title: 'Chuyên viên tuân thủ',
    role: 'staff',
    department: 'compliance',
    departmentRole: 'manager',
  },
  {
    email: 'huong.dang@senvang.example',
    displayName: 'Đặng Thị Hương',
    title: 'Chuyên viên quản trị rủi ro',
    role: 'staff',
    department: 'risk',
    departmentRole: 'manager',
  },
  {
    email: 'quan.do@senvang.example',
    displayName: 'Đỗ Minh Quân',
    title: 'Trưởng phòng Vận hành',
    role: 'staff',
    department: 'operations',
    departmentRole: 'manager',
  },
  {
    email: 'ngoc.bui@senvang.example',
    displayName: 'Bùi Thị Ngọc',
    title: 'Nhân viên vận hành',
    role: 'staff',
    department: 'operations',
    departmentRole: 'member',
  },
  {
    email: 'bao.ngo@senvang.example',
    displayName: 'Ngô Quốc Bảo',
    title: 'Quản trị viên',
    role: 'admin',
    department: null,
    departmentRole: 'member',
  },
];

/** Creates the demo company if it does not exist yet; returns its id. */
export async function seedDemo(db: Executor): Promise<string> {
  const [existing] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, DEMO_TENANT_SLUG));
  if (existing) return existing.id;
  // One argon2id hash for all of them (hashing costs ~50 ms: once per seed, not per person).
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const tenantId = await db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values({ slug: DEMO_TENANT_SLUG, name: 'Công ty Cổ phần Sen Vàng' })
      .returning({ id: tenants.id });
    const tenantId = tenant!.id;
    const groupRows = await tx
      .insert(groups)
      .values(DEMO_DEPARTMENTS.map((d) => ({ tenantId, key: d.key, name: d.name })))
      .returning({ id: groups.id, key: groups.key });
    const groupIds = new Map(groupRows.map((g) => [g.key, g.id]));
    const userRows = await tx
      .insert(users)
      .values(DEMO_USERS.map((u) => ({ email: u.email, displayName: u.displayName })))
      .returning({ id: users.id, email: users.email });
    const userIds = new Map(userRows.map((u) => [u.email, u.id]));
    // better-auth's credential accounts: account_id is the user id.
    await tx
      .insert(accounts)
      .values(
        userRows.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: passwordHash })),
      );
    await tx
      .insert(memberships)
      .values(DEMO_USERS.map((u) => ({ tenantId, userId: userIds.get(u.email)!, role: u.role, title: u.title })));
    const inDepartments = DEMO_USERS.filter((u) => u.department !== null);
    await tx.insert(groupMembers).values(
      inDepartments.map((u) => ({
        tenantId,
        groupId: groupIds.get(u.department!)!,
        userId: userIds.get(u.email)!,
        role: u.departmentRole,
      })),
    );
    for (const pack of loadTemplatePacks()) await publishProcess(tx, tenantId, pack, null);
    return tenantId;
  });
  return tenantId;
}
