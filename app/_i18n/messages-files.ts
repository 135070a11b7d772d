/**
 * Files on forms and tasks (app/server/services/attachments.ts, the file field of json-form.tsx),
 * in English and Vietnamese; merged into messages.ts (every key exists in both, checked by the type).
 */
export const filesEn = {
  dataNone: 'Nothing entered yet.',
  packRefused: 'The pack cannot be imported: {problems}',
  packNotFromTemplate: 'The company’s process “{key}” did not come from the template library.',
  packNoTemplate: 'The pack has no template "{key}".',
  packMessageUnheard:
    '“{process}” sends the message “{name}” (at “{element}”), which no process of the company starts on or waits for: import or publish the process that does, or it is dropped.',
  packDepartmentMissing:
    'The pack’s department “{from}” maps to “{to}”, which the company does not have: map it to one of yours, or create it.',
  packCreateNeedsAdmin:
    'Creating departments takes an admin; map the pack’s departments to existing ones, or ask an admin.',
  packKeyBadMapping: 'The pack’s department “{from}” maps to “{to}”, which is not a department key.',
  packProcessTaken: 'The company already has a process “{key}”; upgrade it instead, or import the others.',
  formErrNotMember: '“{value}” is not a member of the company; choose someone from the list.',
  formErrNoDepartment: 'the company has no department “{value}”; choose one from the list.',
  formPickPerson: 'Type a name or an e-mail address',
  formErrTooManyNamed: 'The form names more than {limit} people and departments; send fewer at once.',
  valueYes: 'Yes',
  valueNo: 'No',
  fileChoose: 'Choose a file',
  fileReplace: 'Replace the file',
  fileRemove: 'Remove the file',
  fileUploading: 'Uploading {name}…',
  fileUploaded: '{name} ({size}) uploaded',
  fileDownload: 'Download {name} ({size})',
  fileNone: 'No file',
  filePreviewOnly: 'In the preview the file stays in your browser; staff’s files are uploaded when they choose them.',
  fileErrNameMissing: 'The file has no name; give it one and upload it again.',
  fileErrEmpty: 'The file "{name}" is empty.',
  fileErrTooLarge:
    'The file "{name}" is larger than {limit}, the most one file may be. (An administrator can raise the limit with TRELLIS_MAX_FILE_BYTES.)',
  fileErrTaskFull:
    'The files of this form would take more than {limit} together; remove one first. (An administrator can raise the limit with TRELLIS_MAX_FORM_FILES_BYTES.)',
  fileErrType:
    'The file "{name}" is {type}, a kind of file Trellis does not keep; upload a PDF, an image, an office document, a text or a zip file.',
  fileErrContext: 'Say which task or process the file is for (taskId or definitionKey).',
  fileErrTaskClosed: 'Task "{id}" is no longer open; files can no longer be added to it.',
  fileErrTaskNotYours: 'Task "{id}" is not yours to work, so you cannot add files to it.',
  fileErrStartRefused: 'You may not start "{key}", so you cannot add files to its start form.',
  fileErrNotFound: 'File "{id}" was not found.',
  fileErrNotYours: 'File "{id}" is not yours to see: it belongs to a process you cannot read.',
  fileErrRefUnknown: 'The file in "{field}" was not found; upload it again.',
  fileErrRefNotYours: 'The file in "{field}" was uploaded by someone else or for another form; upload it again.',
  fileErrRefTaken: 'A file of this form was attached to another process at the same moment; upload it again.',
  fileErrNoFileField: 'The form of "{name}" has no file field, so it takes no files.',
  fileErrTooMany: 'The form sends more than {limit} files; send fewer at once.',
} as const;

export const filesVi: Record<keyof typeof filesEn, string> = {
  dataNone: 'Chưa có dữ liệu nào được nhập.',
  packRefused: 'Không nhập được gói: {problems}',
  packNotFromTemplate: 'Quy trình “{key}” của công ty không lấy từ thư viện quy trình mẫu.',
  packNoTemplate: 'Gói không có quy trình mẫu "{key}".',
  packMessageUnheard:
    '“{process}” gửi thông điệp “{name}” (tại “{element}”) mà không quy trình nào của công ty khởi tạo từ đó hay chờ nhận: hãy nhập hoặc xuất bản quy trình nhận nó, nếu không thông điệp sẽ bị bỏ.',
  packDepartmentMissing:
    'Phòng ban “{from}” của gói được gán cho “{to}”, phòng ban mà công ty không có: hãy gán cho một phòng ban của bạn, hoặc tạo nó.',
  packCreateNeedsAdmin:
    'Chỉ quản trị viên mới tạo được phòng ban; hãy gán các phòng ban của gói cho phòng ban sẵn có, hoặc nhờ quản trị viên.',
  packKeyBadMapping: 'Phòng ban “{from}” của gói được gán cho “{to}”, không phải một mã phòng ban.',
  packProcessTaken: 'Công ty đã có quy trình “{key}”; hãy nâng cấp nó, hoặc nhập các quy trình khác.',
  formErrNotMember: '“{value}” không phải thành viên của công ty; hãy chọn một người trong danh sách.',
  formErrNoDepartment: 'công ty không có phòng ban “{value}”; hãy chọn một phòng ban trong danh sách.',
  formPickPerson: 'Gõ tên hoặc địa chỉ e-mail',
  formErrTooManyNamed: 'Biểu mẫu nêu hơn {limit} người và phòng ban; hãy gửi ít hơn mỗi lần.',
  valueYes: 'Có',
  valueNo: 'Không',
  fileChoose: 'Chọn tệp',
  fileReplace: 'Thay tệp',
  fileRemove: 'Bỏ tệp',
  fileUploading: 'Đang tải lên {name}…',
  fileUploaded: 'Đã tải lên {name} ({size})',
  fileDownload: 'Tải xuống {name} ({size})',
  fileNone: 'Chưa có tệp',
  filePreviewOnly:
    'Trong bản xem trước, tệp chỉ nằm trong trình duyệt của bạn; tệp của nhân viên được tải lên khi họ chọn.',
  fileErrNameMissing: 'Tệp không có tên; hãy đặt tên rồi tải lên lại.',
  fileErrEmpty: 'Tệp "{name}" trống.',
  fileErrTooLarge:
    'Tệp "{name}" lớn hơn {limit}, mức tối đa cho một tệp. (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_FILE_BYTES.)',
  fileErrTaskFull:
    'Các tệp của biểu mẫu này sẽ vượt quá {limit} tổng cộng; hãy bỏ bớt một tệp trước. (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_FORM_FILES_BYTES.)',
  fileErrType:
    'Tệp "{name}" là {type}, loại tệp Trellis không lưu; hãy tải lên PDF, hình ảnh, tài liệu văn phòng, văn bản hoặc tệp zip.',
  fileErrContext: 'Hãy cho biết tệp dùng cho công việc hay quy trình nào (taskId hoặc definitionKey).',
  fileErrTaskClosed: 'Công việc "{id}" đã đóng; không thể thêm tệp vào nữa.',
  fileErrTaskNotYours: 'Công việc "{id}" không phải của bạn nên bạn không thể thêm tệp vào.',
  fileErrStartRefused: 'Bạn không được khởi chạy "{key}" nên không thể thêm tệp vào biểu mẫu khởi tạo của nó.',
  fileErrNotFound: 'Không tìm thấy tệp "{id}".',
  fileErrNotYours: 'Bạn không được xem tệp "{id}": nó thuộc một quy trình bạn không được đọc.',
  fileErrRefUnknown: 'Không tìm thấy tệp trong "{field}"; hãy tải lên lại.',
  fileErrRefNotYours: 'Tệp trong "{field}" do người khác tải lên hoặc dành cho biểu mẫu khác; hãy tải lên lại.',
  fileErrRefTaken: 'Một tệp của biểu mẫu này vừa được gắn vào một quy trình khác cùng lúc; hãy tải lên lại.',
  fileErrNoFileField: 'Biểu mẫu của "{name}" không có trường tệp nên không nhận tệp.',
  fileErrTooMany: 'Biểu mẫu gửi hơn {limit} tệp; hãy gửi ít hơn mỗi lần.',
};
