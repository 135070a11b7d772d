/**
 * The refusals of the procedures' declared access (app/server/trpc/init.ts), in English and
 * Vietnamese; merged into messages.ts (every key exists in both, checked by the type). Each
 * admin or designer procedure names its action by one of the `action_*` keys, so the refusal
 * reads whole in either language ("Only an admin may manage webhooks.").
 */
export const accessEn = {
  accessSignIn: 'Sign in to continue.',
  accessAuditorReadOnly: 'Auditors have read-only access.',
  accessAdminOnly: 'Only an admin may {action}.',
  accessDesignerOnly: 'Only a designer or an admin may {action}.',
  action_manageDepartments: 'manage departments',
  action_manageMembers: 'manage members',
  action_inviteMembers: 'invite members',
  action_readOutbox: 'read the email outbox',
  action_sendOutbox: 'send email from the outbox',
  action_reassignTasks: 'reassign tasks',
  action_resolveIncidents: 'see and resolve incidents',
  action_retryJob: 'retry a failed job',
  action_manageWebhooks: 'manage webhooks',
  action_manageApiKeys: 'manage API keys',
  action_manageInboundHooks: 'manage inbound webhooks',
  action_publishProcesses: 'publish processes',
  action_exportProcesses: 'export processes',
  action_designProcesses: 'design processes',
  action_designForms: 'design forms',
  action_designDecisions: 'design decision tables',
  action_importTemplates: 'import templates',
} as const;

export const accessVi: Record<keyof typeof accessEn, string> = {
  accessSignIn: 'Hãy đăng nhập để tiếp tục.',
  accessAuditorReadOnly: 'Kiểm toán viên chỉ có quyền xem.',
  accessAdminOnly: 'Chỉ quản trị viên mới được {action}.',
  accessDesignerOnly: 'Chỉ người thiết kế quy trình hoặc quản trị viên mới được {action}.',
  action_manageDepartments: 'quản lý phòng ban',
  action_manageMembers: 'quản lý thành viên',
  action_inviteMembers: 'mời thành viên',
  action_readOutbox: 'xem hộp thư đi',
  action_sendOutbox: 'gửi email từ hộp thư đi',
  action_reassignTasks: 'chuyển giao công việc',
  action_resolveIncidents: 'xem và xử lý sự cố',
  action_retryJob: 'chạy lại một tác vụ bị lỗi',
  action_manageWebhooks: 'quản lý webhook',
  action_manageApiKeys: 'quản lý khóa API',
  action_manageInboundHooks: 'quản lý webhook nhận vào',
  action_publishProcesses: 'xuất bản quy trình',
  action_exportProcesses: 'xuất quy trình ra tệp',
  action_designProcesses: 'thiết kế quy trình',
  action_designForms: 'thiết kế biểu mẫu',
  action_designDecisions: 'thiết kế bảng quyết định',
  action_importTemplates: 'nhập quy trình mẫu',
};

/** The action an admin or designer procedure names in its refusal. */
export type AccessAction = Extract<keyof typeof accessEn, `action_${string}`>;
