/**
 * Refusals of messages and signals sent by people (app/server/services/sending.ts) and of what
 * they carry (size, time to live), in English and Vietnamese; merged into messages.ts (every key
 * exists in both, checked by the type). `{who}` is built from the who* keys: "members of
 * Accounting, designers or admins".
 */
export const sendingEn = {
  sendRefused: 'You may not send message "{name}" to "{element}" of process "{process}": only {who} may.',
  sendRefusedUndeclared:
    'You may not send message "{name}" to "{element}" of process "{process}": the process does not say who may send it (sendableBy), so only admins may.',
  sendRefusedStart: 'You may not start "{process}" by sending message "{name}": only {who} may.',
  broadcastRefused: 'You may not broadcast signal "{name}": only {who} may.',
  broadcastNotPublic:
    'Signal "{name}" is not public: no process says who may broadcast it (sendableBy), so only admins may.',
  whoMembersOf: 'members of {groups}',
  whoDesigners: 'designers',
  whoStaff: 'staff',
  whoAdmins: 'admins',
  whoOr: 'or',
  fieldMessageVariables: 'Variables',
  fieldTimeToLive: 'Time to live',
  messageTooLarge:
    'The variables of a {what} may take at most {max} bytes as JSON; these take {size}. Send less, or raise TRELLIS_MAX_MESSAGE_BYTES on the server.',
  messageTtlTooLong:
    'A message may wait at most {max} seconds for a receiver; {ttl} is too long. Give a shorter timeToLive, or raise TRELLIS_MAX_MESSAGE_TTL_SECONDS on the server.',
  what_message: 'message',
  what_signal: 'signal',
} as const;

export const sendingVi: Record<keyof typeof sendingEn, string> = {
  sendRefused:
    'Bạn không được gửi thông điệp "{name}" tới "{element}" của quy trình "{process}": chỉ {who} mới được gửi.',
  sendRefusedUndeclared:
    'Bạn không được gửi thông điệp "{name}" tới "{element}" của quy trình "{process}": quy trình không khai báo ai được gửi (sendableBy), nên chỉ quản trị viên mới được gửi.',
  sendRefusedStart:
    'Bạn không được khởi tạo "{process}" bằng cách gửi thông điệp "{name}": chỉ {who} mới được làm vậy.',
  broadcastRefused: 'Bạn không được phát tín hiệu "{name}": chỉ {who} mới được phát.',
  broadcastNotPublic:
    'Tín hiệu "{name}" không công khai: không quy trình nào khai báo ai được phát tín hiệu này (sendableBy), nên chỉ quản trị viên mới được phát.',
  whoMembersOf: 'thành viên phòng {groups}',
  whoDesigners: 'người thiết kế quy trình',
  whoStaff: 'nhân viên',
  whoAdmins: 'quản trị viên',
  whoOr: 'hoặc',
  fieldMessageVariables: 'Biến',
  fieldTimeToLive: 'Thời gian chờ',
  messageTooLarge:
    'Biến của {what} chỉ được chiếm tối đa {max} byte dạng JSON; ở đây là {size}. Hãy gửi ít hơn, hoặc tăng TRELLIS_MAX_MESSAGE_BYTES trên máy chủ.',
  messageTtlTooLong:
    'Một thông điệp chỉ được chờ người nhận tối đa {max} giây; {ttl} là quá lâu. Hãy đặt timeToLive ngắn hơn, hoặc tăng TRELLIS_MAX_MESSAGE_TTL_SECONDS trên máy chủ.',
  what_message: 'thông điệp',
  what_signal: 'tín hiệu',
};
