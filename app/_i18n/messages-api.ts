/**
 * The REST API's answers to outside systems (app/server/api/), in English and Vietnamese; merged
 * into messages.ts (every key exists in both, checked by the type). A refused key is told nothing
 * of why (malformed, unknown, revoked or expired read alike), and a scope refusal nothing of which
 * scope. A request that does not match the API's description is told which field, by its path in
 * the request (`variables`, `definitionKey`, the `Idempotency-Key` header).
 */
export const apiEn = {
  apiUnauthorized: 'Send a valid API key in the Authorization header: "Bearer <token>".',
  apiForbidden: 'This key may not do that.',
  apiBodyNotJson: 'The request body is not valid JSON; send a JSON object with Content-Type: application/json.',
  apiRequestInvalid: 'The request does not match the API description (/api/v1/openapi.json): {problems}',
  apiBodyNotObject: 'The request body must be a JSON object.',
  apiFieldRequired: '"{path}" is required.',
  apiFieldType: '"{path}" must be {expected}.',
  apiFieldPattern: '"{path}" is not in the expected form: it must match {pattern}.',
  apiFieldFormat: '"{path}" must be a {format}.',
  apiFieldTooLong: '"{path}" is longer than {max} characters.',
  apiFieldTooShort: '"{path}" is shorter than {min} characters.',
  apiFieldUnknown: '"{path}" is not a field of this request; see the API description.',
  apiFieldInvalid: '"{path}" is not valid.',
  apiType_string: 'text',
  apiType_object: 'an object',
  apiType_array: 'a list',
  apiType_number: 'a number',
  apiType_boolean: 'true or false',
  apiInstanceNotFound: 'Process instance "{id}" was not found.',
} as const;

export const apiVi: Record<keyof typeof apiEn, string> = {
  apiUnauthorized: 'Hãy gửi một khóa API hợp lệ trong tiêu đề Authorization: "Bearer <token>".',
  apiForbidden: 'Khóa này không được phép làm việc đó.',
  apiBodyNotJson: 'Thân yêu cầu không phải JSON hợp lệ; hãy gửi một đối tượng JSON với Content-Type: application/json.',
  apiRequestInvalid: 'Yêu cầu không khớp với mô tả API (/api/v1/openapi.json): {problems}',
  apiBodyNotObject: 'Thân yêu cầu phải là một đối tượng JSON.',
  apiFieldRequired: 'Thiếu "{path}".',
  apiFieldType: '"{path}" phải là {expected}.',
  apiFieldPattern: '"{path}" không đúng định dạng: phải khớp với {pattern}.',
  apiFieldFormat: '"{path}" phải là một {format}.',
  apiFieldTooLong: '"{path}" dài quá {max} ký tự.',
  apiFieldTooShort: '"{path}" ngắn hơn {min} ký tự.',
  apiFieldUnknown: '"{path}" không phải là trường của yêu cầu này; xem mô tả API.',
  apiFieldInvalid: '"{path}" không hợp lệ.',
  apiType_string: 'văn bản (string)',
  apiType_object: 'một đối tượng (object)',
  apiType_array: 'một danh sách (array)',
  apiType_number: 'một số (number)',
  apiType_boolean: 'true hoặc false',
  apiInstanceNotFound: 'Không tìm thấy phiên quy trình "{id}".',
};
