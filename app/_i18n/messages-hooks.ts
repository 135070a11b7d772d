/**
 * Inbound webhooks (POST /api/v1/hooks/…): their management and the answers a sender gets, in English and Vietnamese. Merged into messages.ts (every key exists in both, checked by the type).
 *
 * A sender whose request is not signed for an active hook is told how to sign, never which part
 * was wrong (no such hook, a deactivated one, a wrong secret, a garbled signature read alike). Once
 * the signature holds, the sender has the secret: then every refusal says exactly what to fix.
 */
export const hooksEn = {
  navInboundHooks: 'Inbound webhooks',
  inboundHooksTitle: 'Inbound webhooks',
  inboundHooksIntro:
    'Each inbound webhook is an address that a system able only to send HTTP POSTs calls to publish a message into {company}’s processes: the message starts a process at its message start event, or moves the instance waiting at a message catch event for the same correlation key. Each request is signed with the webhook’s secret; no API key is needed.',
  inboundHooksAdminsOnly: 'Only an admin may manage inbound webhooks.',
  inboundHooksEmpty: 'No inbound webhook yet.',
  inboundHookAddTitle: 'Add an inbound webhook',
  inboundHookName: 'Name',
  inboundHookNameHint: 'Which system calls it, e.g. “Ngân hàng báo có”.',
  inboundHookMessage: 'Message it publishes',
  inboundHookMessageHint:
    'The message name of a message start or catch event. Messages your published processes wait for or start on are offered. A message is not kept: if no instance waits for it yet and no process starts on it, it is dropped, and its delivery id counts as handled — the sender sends it again under a new delivery id.',
  inboundHookMessageHintNone:
    'The message name of a message start or catch event. None of your published processes waits for a message yet: type the name your process will use. A message is not kept: if no instance waits for it yet and no process starts on it, it is dropped, and its delivery id counts as handled — the sender sends it again under a new delivery id.',
  inboundHookCorrelation: 'Correlation key (optional)',
  inboundHookCorrelationHint:
    'An expression over the JSON body that gives the key the waiting instance is matched by, e.g. invoice.number. Leave empty for a message without a key. The body’s fields become the message’s variables.',
  inboundHookTolerance: 'Timestamp tolerance (seconds)',
  inboundHookToleranceHint:
    'How far the sender’s X-Trellis-Timestamp may be from this server’s clock, either way: {min} to {max} seconds.',
  inboundHookAdd: 'Add inbound webhook',
  inboundHookAdding: 'Adding…',
  inboundHookAdded: 'Inbound webhook added.',
  inboundHookRequired: 'Fill this in.',
  inboundHookColName: 'Name',
  inboundHookColMessage: 'Message',
  inboundHookAddress: 'Address for the sender',
  inboundHookKey: 'Correlation key',
  inboundHookLastDelivery: 'Last delivery',
  inboundHookNoDelivery: 'None yet',
  inboundHookActive: 'Active',
  inboundHookDeactivated: 'Deactivated',
  inboundHookSecretTitle: 'Signing secret of “{name}”',
  inboundHookSecretOnce:
    'Copy this secret now and give it to the sending system with the address below. It is shown only this once; if it is lost, make a new one.',
  inboundHookSecretRotated: 'The previous secret no longer works: requests signed with it are refused from now on.',
  inboundHookSignTitle: 'How the sender signs a request',
  inboundHookSignTimestamp: 'When the request was signed, in unix seconds (UTC).',
  inboundHookSignSignature:
    '"sha256=" and the hex HMAC-SHA256 of "<delivery id>.<timestamp>.<raw body>", keyed with this secret: the X-Trellis-Delivery and X-Trellis-Timestamp values and the body exactly as sent.',
  inboundHookSignDelivery:
    'A unique id for the delivery, the same on every retry: a delivery id already handled is answered, not acted on again. It is part of what is signed, so a request cannot be replayed under another id.',
  inboundHookSignReadme: 'The README section “Inbound webhooks” has an example with curl.',
  inboundHookCopyAddress: 'Copy address',
  inboundHookRotate: 'New secret',
  inboundHookRotateConfirm: 'Make a new signing secret? The current one stops working at once.',
  inboundHookRotateYes: 'Yes, make a new secret',
  inboundHookDeactivate: 'Deactivate',
  inboundHookDeactivateConfirm:
    'Deactivate “{name}”? Every request to its address is refused from now on. This cannot be undone.',
  inboundHookDeactivateYes: 'Yes, deactivate it',
  inboundHookErrNameRequired: 'Give the webhook a name that says which system calls it, such as “Bank credit notices”.',
  inboundHookErrNameTooLong: 'The name has {length} characters; shorten it to at most {max}.',
  inboundHookErrNameControl: 'The name contains a line break or another control character; write it on one line.',
  inboundHookErrMessageRequired:
    'Enter the name of the message the webhook publishes, as the process’s event names it.',
  inboundHookErrMessageTooLong: 'The message name has {length} characters; message names have at most {max}.',
  inboundHookErrMessageSpaces:
    'The message name “{name}” has spaces or control characters around or in it; write it exactly as the process’s event names it.',
  inboundHookErrCorrelationTooLong: 'The correlation key expression has {length} characters; write at most {max}.',
  inboundHookErrCorrelation: 'The correlation key expression “{expression}” cannot be used: {problem}.',
  inboundHookErrTolerance: 'The tolerance is a whole number of seconds from {min} to {max}; {value} is not one.',
  inboundHookErrNotFound: 'Inbound webhook “{id}” was not found.',
  hookUnauthorized:
    'This request is not signed for an active inbound webhook at this address. Sign "<X-Trellis-Delivery>.<X-Trellis-Timestamp>.<raw body>" with HMAC-SHA256 keyed with the webhook’s current secret, and send "sha256=<hex>" in X-Trellis-Signature.',
  hookTimestampOld:
    'X-Trellis-Timestamp is {seconds} seconds behind this server’s clock; inbound webhook “{name}” accepts at most {tolerance}. Sign each request as it is sent (a retry is signed again), with a clock kept by NTP.',
  hookTimestampFuture:
    'X-Trellis-Timestamp is {seconds} seconds ahead of this server’s clock; inbound webhook “{name}” accepts at most {tolerance}. Check the sending system’s clock (NTP).',
  hookHeaderTimestamp:
    'X-Trellis-Timestamp is required: the time the request was signed, in whole seconds since 1970-01-01 UTC, e.g. 1767225600.',
  hookHeaderSignature:
    'X-Trellis-Signature is required: "sha256=" and 64 hexadecimal digits, the HMAC-SHA256 of "<delivery id>.<timestamp>.<raw body>" keyed with the webhook’s secret.',
  hookHeaderDelivery:
    'X-Trellis-Delivery is required: an id of this delivery, 1 to {max} visible ASCII characters without spaces, the same on every retry.',
  hookBodyTooLarge:
    'The body is {size} bytes; the message an inbound webhook publishes may carry at most {max} bytes of JSON.',
  hookCorrelationFailed:
    'Inbound webhook “{name}” could not compute its correlation key with “{expression}” from this body: {problem}. Send a body that has it, or change the webhook’s expression.',
  hookCorrelationMissing: 'it gave no value (is the field missing from the body?)',
  hookCorrelationType: 'it gave {type}, not text or a number',
  hookCorrelationLong: 'it gave a key of {length} characters; a correlation key has at most {max}',
  hookCorrelationError: 'the expression failed ({detail})',
  hookFieldBody: 'Body',
} as const;

export const hooksVi: Record<keyof typeof hooksEn, string> = {
  navInboundHooks: 'Webhook nhận vào',
  inboundHooksTitle: 'Webhook nhận vào',
  inboundHooksIntro:
    'Các địa chỉ mà một hệ thống chỉ biết gửi HTTP POST gọi tới để gửi một thông điệp vào các quy trình của {company}: thông điệp khởi tạo quy trình tại sự kiện bắt đầu bằng thông điệp, hoặc đưa phiên quy trình đang chờ thông điệp có cùng khóa tương quan đi tiếp. Mỗi yêu cầu được ký bằng khóa bí mật của webhook; không cần khóa API.',
  inboundHooksAdminsOnly: 'Chỉ quản trị viên mới được quản lý webhook nhận vào.',
  inboundHooksEmpty: 'Chưa có webhook nhận vào nào.',
  inboundHookAddTitle: 'Thêm webhook nhận vào',
  inboundHookName: 'Tên',
  inboundHookNameHint: 'Hệ thống nào gọi tới, ví dụ “Ngân hàng báo có”.',
  inboundHookMessage: 'Thông điệp được gửi',
  inboundHookMessageHint:
    'Tên thông điệp của một sự kiện bắt đầu hoặc sự kiện chờ thông điệp. Danh sách gợi ý gồm các thông điệp mà quy trình đã xuất bản đang chờ hoặc dùng để bắt đầu. Thông điệp không được giữ lại: nếu chưa có phiên quy trình nào chờ nó và không quy trình nào bắt đầu bằng nó, thông điệp bị bỏ qua và mã lần gửi coi như đã xử lý — bên gửi phải gửi lại với mã lần gửi mới.',
  inboundHookMessageHintNone:
    'Tên thông điệp của một sự kiện bắt đầu hoặc sự kiện chờ thông điệp. Chưa có quy trình đã xuất bản nào chờ thông điệp: hãy nhập tên mà quy trình sẽ dùng. Thông điệp không được giữ lại: nếu chưa có phiên quy trình nào chờ nó và không quy trình nào bắt đầu bằng nó, thông điệp bị bỏ qua và mã lần gửi coi như đã xử lý — bên gửi phải gửi lại với mã lần gửi mới.',
  inboundHookCorrelation: 'Khóa tương quan (không bắt buộc)',
  inboundHookCorrelationHint:
    'Một biểu thức trên thân JSON cho ra khóa để tìm phiên quy trình đang chờ, ví dụ invoice.number. Để trống nếu thông điệp không có khóa. Các trường của thân yêu cầu trở thành biến của thông điệp.',
  inboundHookTolerance: 'Độ lệch thời gian cho phép (giây)',
  inboundHookToleranceHint:
    'X-Trellis-Timestamp của bên gửi được lệch bao nhiêu so với đồng hồ máy chủ này, sớm hay muộn: từ {min} đến {max} giây.',
  inboundHookAdd: 'Thêm webhook nhận vào',
  inboundHookAdding: 'Đang thêm…',
  inboundHookAdded: 'Đã thêm webhook nhận vào.',
  inboundHookRequired: 'Hãy điền mục này.',
  inboundHookColName: 'Tên',
  inboundHookColMessage: 'Thông điệp',
  inboundHookAddress: 'Địa chỉ cho bên gửi',
  inboundHookKey: 'Khóa tương quan',
  inboundHookLastDelivery: 'Lần nhận gần nhất',
  inboundHookNoDelivery: 'Chưa có',
  inboundHookActive: 'Đang hoạt động',
  inboundHookDeactivated: 'Đã vô hiệu hóa',
  inboundHookSecretTitle: 'Khóa ký của “{name}”',
  inboundHookSecretOnce:
    'Hãy sao chép khóa này ngay và trao cho hệ thống gửi cùng với địa chỉ bên dưới. Khóa chỉ hiện một lần này; nếu làm mất, hãy tạo khóa mới.',
  inboundHookSecretRotated: 'Khóa cũ không còn dùng được: từ giờ các yêu cầu ký bằng khóa cũ đều bị từ chối.',
  inboundHookSignTitle: 'Bên gửi ký yêu cầu như thế nào',
  inboundHookSignTimestamp: 'Thời điểm ký yêu cầu, tính bằng giây unix (UTC).',
  inboundHookSignSignature:
    '"sha256=" và HMAC-SHA256 dạng hex của "<mã lần gửi>.<timestamp>.<thân yêu cầu nguyên văn>", ký bằng khóa này: giá trị X-Trellis-Delivery, X-Trellis-Timestamp và thân yêu cầu đúng như khi gửi.',
  inboundHookSignDelivery:
    'Mã riêng của lần gửi, giữ nguyên khi gửi lại: một mã đã xử lý rồi chỉ được trả lời, không thực hiện lại. Mã này nằm trong phần được ký, nên không thể phát lại một yêu cầu với mã khác.',
  inboundHookSignReadme: 'Mục “Inbound webhooks” trong README có ví dụ dùng curl.',
  inboundHookCopyAddress: 'Sao chép địa chỉ',
  inboundHookRotate: 'Tạo khóa mới',
  inboundHookRotateConfirm: 'Tạo khóa ký mới? Khóa hiện tại sẽ ngừng hoạt động ngay.',
  inboundHookRotateYes: 'Đồng ý, tạo khóa mới',
  inboundHookDeactivate: 'Vô hiệu hóa',
  inboundHookDeactivateConfirm:
    'Vô hiệu hóa “{name}”? Từ giờ mọi yêu cầu gửi tới địa chỉ của nó đều bị từ chối. Không thể hoàn tác.',
  inboundHookDeactivateYes: 'Đồng ý, vô hiệu hóa',
  inboundHookErrNameRequired: 'Hãy đặt tên cho webhook, nói rõ hệ thống nào gọi tới, ví dụ “Ngân hàng báo có”.',
  inboundHookErrNameTooLong: 'Tên dài {length} ký tự; hãy rút gọn còn tối đa {max} ký tự.',
  inboundHookErrNameControl: 'Tên chứa dấu xuống dòng hoặc ký tự điều khiển; hãy viết trên một dòng.',
  inboundHookErrMessageRequired: 'Hãy nhập tên thông điệp mà webhook gửi, đúng như sự kiện của quy trình đặt tên.',
  inboundHookErrMessageTooLong: 'Tên thông điệp dài {length} ký tự; tên thông điệp tối đa {max} ký tự.',
  inboundHookErrMessageSpaces:
    'Tên thông điệp “{name}” có khoảng trắng hoặc ký tự điều khiển ở đầu, cuối hoặc bên trong; hãy viết đúng như sự kiện của quy trình đặt tên.',
  inboundHookErrCorrelationTooLong: 'Biểu thức khóa tương quan dài {length} ký tự; hãy viết tối đa {max} ký tự.',
  inboundHookErrCorrelation: 'Không dùng được biểu thức khóa tương quan “{expression}”: {problem}.',
  inboundHookErrTolerance: 'Độ lệch cho phép là một số nguyên giây từ {min} đến {max}; {value} không hợp lệ.',
  inboundHookErrNotFound: 'Không tìm thấy webhook nhận vào “{id}”.',
  hookUnauthorized:
    'Yêu cầu này không được ký cho một webhook nhận vào đang hoạt động tại địa chỉ này. Hãy ký "<X-Trellis-Delivery>.<X-Trellis-Timestamp>.<thân yêu cầu nguyên văn>" bằng HMAC-SHA256 với khóa hiện tại của webhook, và gửi "sha256=<hex>" trong X-Trellis-Signature.',
  hookTimestampOld:
    'X-Trellis-Timestamp chậm {seconds} giây so với đồng hồ máy chủ này; webhook nhận vào “{name}” chỉ chấp nhận lệch tối đa {tolerance} giây. Hãy ký mỗi yêu cầu lúc gửi (gửi lại thì ký lại), với đồng hồ được đồng bộ bằng NTP.',
  hookTimestampFuture:
    'X-Trellis-Timestamp nhanh {seconds} giây so với đồng hồ máy chủ này; webhook nhận vào “{name}” chỉ chấp nhận lệch tối đa {tolerance} giây. Hãy kiểm tra đồng hồ của hệ thống gửi (NTP).',
  hookHeaderTimestamp:
    'Thiếu hoặc sai X-Trellis-Timestamp: thời điểm ký yêu cầu, tính bằng số giây nguyên kể từ 1970-01-01 UTC, ví dụ 1767225600.',
  hookHeaderSignature:
    'Thiếu hoặc sai X-Trellis-Signature: "sha256=" và 64 chữ số thập lục phân, là HMAC-SHA256 của "<mã lần gửi>.<timestamp>.<thân yêu cầu nguyên văn>" ký bằng khóa của webhook.',
  hookHeaderDelivery:
    'Thiếu hoặc sai X-Trellis-Delivery: mã của lần gửi này, từ 1 đến {max} ký tự ASCII nhìn thấy được, không có khoảng trắng, giữ nguyên khi gửi lại.',
  hookBodyTooLarge:
    'Thân yêu cầu dài {size} byte; thông điệp mà webhook nhận vào gửi đi chỉ được mang tối đa {max} byte JSON.',
  hookCorrelationFailed:
    'Webhook nhận vào “{name}” không tính được khóa tương quan bằng “{expression}” từ thân yêu cầu này: {problem}. Hãy gửi thân yêu cầu có giá trị đó, hoặc sửa biểu thức của webhook.',
  hookCorrelationMissing: 'biểu thức không cho ra giá trị nào (thân yêu cầu thiếu trường đó?)',
  hookCorrelationType: 'biểu thức cho ra {type}, không phải văn bản hay số',
  hookCorrelationLong: 'biểu thức cho ra khóa dài {length} ký tự; khóa tương quan tối đa {max} ký tự',
  hookCorrelationError: 'biểu thức bị lỗi ({detail})',
  hookFieldBody: 'Thân yêu cầu',
};
