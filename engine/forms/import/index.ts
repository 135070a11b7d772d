/**
 * Form importers: other products' form files → Trellis form definitions, each with a report of
 * what was translated and what needs doing by hand. Pure: callers read the files.
 */
import { camundaFormFromJson, type CamundaFormImportResult } from './camunda-form';
import { FormImportError } from './errors';
import { flowableFormFromJson, type FlowableFormImportResult } from './flowable-form';
import { importCamundaHtmlForm, type HtmlFormImportOptions, type HtmlFormImportResult } from './html-form';
import { assertFormFileSize, fileLabel, isRecord, parseJsonFile, stripBom } from './input';

export { importCamundaForm } from './camunda-form';
export type { CamundaFormImportResult } from './camunda-form';
export { importFlowableForm } from './flowable-form';
export type { FlowableFormImportResult, FlowableOutcome } from './flowable-form';
export { importCamundaHtmlForm } from './html-form';
export type { HtmlFormField, HtmlFormImportOptions, HtmlFormImportResult, HtmlFormOption } from './html-form';
export { FormImportError } from './errors';
export type { FormImportErrorCode } from './errors';
export { MAX_FORM_FILE_BYTES, MAX_FORM_FIELDS } from './input';
export type { FormImportFormat, FormImportOptions, FormImportResult, ImportReport, UnsupportedItem } from './result';

export type ImportedForm = CamundaFormImportResult | FlowableFormImportResult | HtmlFormImportResult;

/**
 * Imports one form file, choosing the importer by content: markup is a Camunda 7 embedded HTML
 * form; JSON with `components` is a Camunda form (form-js); JSON with `fields` is a Flowable form.
 */
export function importFormFile(
  fileName: string,
  text: string,
  options: Omit<HtmlFormImportOptions, 'fileName'> = {},
): ImportedForm {
  assertFormFileSize(text, fileName);
  const start = stripBom(text).trimStart();
  if (start.startsWith('<')) return importCamundaHtmlForm(text, { ...options, fileName });
  if (!start.startsWith('{') && !start.startsWith('[')) {
    throw new FormImportError(
      'NOT_A_FORM',
      `${fileLabel(fileName)} is neither JSON nor HTML; Trellis imports Camunda forms (.form, form-js JSON), Flowable forms (.form JSON) and Camunda 7 embedded HTML forms.`,
    );
  }
  const data = parseJsonFile(text, fileName);
  const withName = { ...options, fileName };
  if (isRecord(data) && Array.isArray(data.components)) return camundaFormFromJson(data, withName);
  if (isRecord(data) && Array.isArray(data.fields)) return flowableFormFromJson(data, withName);
  throw new FormImportError(
    'NOT_A_FORM',
    `${fileLabel(fileName)} is JSON but not a form Trellis knows: it has neither "components" (a Camunda form) nor "fields" (a Flowable form).`,
  );
}

/**
 * Imports the forms of one process together. Camunda 7 reads an undeclared variable's type from
 * the process; here, from the other forms: the amount a start form declares `Double` is a number
 * on the approval form that shows it read-only, not a text guessed from its `<input>`.
 */
export function importFormFiles(files: { fileName: string; text: string }[]): ImportedForm[] {
  const declared: Record<string, string> = {};
  for (const f of files) {
    const first = importFormFile(f.fileName, f.text);
    if (first.format !== 'camunda-html') continue;
    for (const field of first.fields)
      if (field.typeSource === 'declared' && !Object.hasOwn(declared, field.name)) declared[field.name] = field.type;
  }
  return files.map((f) =>
    importFormFile(f.fileName, f.text, Object.keys(declared).length > 0 ? { variableTypes: declared } : {}),
  );
}
