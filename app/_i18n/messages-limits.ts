/**
 * The server's refusals of oversized or malformed requests (app/server/body-limit.ts), of reserved
 * field names (app/server/input-keys.ts), and the messages errors are mapped to so that no caller
 * sees a server's internals (app/server/trpc/error-map.ts), in English and Vietnamese; merged into
 * messages.ts (every key exists in both, checked by the type).
 */
export const limitsEn = {
  limitBodyTooLarge:
    'The request is larger than the server accepts ({limit}); send less at once. (An administrator can raise the limit with TRELLIS_MAX_BODY_BYTES.)',
  limitJsonTooDeep:
    'The request nests its data more than {limit} levels deep, which the server does not accept; send flatter data. (An administrator can raise the limit with TRELLIS_MAX_JSON_DEPTH.)',
  limitUrlTooLong:
    'The request’s address is longer than {limit} characters, which the server does not accept; send the data in the request body (POST) instead. (An administrator can raise the limit with TRELLIS_MAX_URL_LENGTH.)',
  errReservedFieldName: 'The field "{field}" is named "__proto__", a name JavaScript reserves; rename the field.',
  errConcurrentChange:
    'Someone else saved the same thing at the same moment, so this was not saved; reload and try again.',
  errConcurrentRetry:
    'This command collided with another one running at the same moment and was not carried out; send it again.',
  errServer:
    'Something went wrong on the server (reference {reference}). Try again; if it keeps happening, give your administrator the reference.',
  errVersionJustPublished:
    'Version {version} of "{key}" was just published by someone else; reload, then publish your changes as a new version.',
} as const;

export const limitsVi: Record<keyof typeof limitsEn, string> = {
  limitBodyTooLarge:
    'Yêu cầu lớn hơn mức máy chủ chấp nhận ({limit}); hãy gửi ít dữ liệu hơn mỗi lần. (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_BODY_BYTES.)',
  limitJsonTooDeep:
    'Dữ liệu trong yêu cầu lồng nhau sâu hơn {limit} cấp, máy chủ không chấp nhận; hãy gửi dữ liệu ít lồng nhau hơn. (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_JSON_DEPTH.)',
  limitUrlTooLong:
    'Địa chỉ của yêu cầu dài hơn {limit} ký tự, máy chủ không chấp nhận; hãy gửi dữ liệu trong thân yêu cầu (POST). (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_URL_LENGTH.)',
  errReservedFieldName: 'Trường "{field}" có tên "__proto__", một tên mà JavaScript dành riêng; hãy đổi tên trường.',
  errConcurrentChange:
    'Có người khác vừa lưu cùng nội dung này vào đúng lúc đó nên thay đổi của bạn chưa được lưu; hãy tải lại trang rồi thử lại.',
  errConcurrentRetry: 'Lệnh này trùng với một lệnh khác chạy cùng lúc nên chưa được thực hiện; hãy gửi lại.',
  errServer:
    'Máy chủ gặp sự cố (mã tham chiếu {reference}). Hãy thử lại; nếu vẫn lỗi, hãy báo mã tham chiếu cho quản trị viên.',
  errVersionJustPublished:
    'Phiên bản {version} của "{key}" vừa được người khác xuất bản; hãy tải lại trang rồi xuất bản thay đổi của bạn thành một phiên bản mới.',
};
