/**
 * The Camunda 7 invoice example from the corpus (test/fixtures/corpus/backoffice/camunda7-invoice),
 * imported as a company migrating from Camunda would import it — the BPMN through the importer,
 * the embedded HTML forms through the form importer, the DMN file as it is — and adapted only
 * where the import report says Trellis will not run what the file says, or where the file names
 * people of Camunda's demo (demo, john, peter, mary) who do not exist in the company:
 *
 * 1. "Archive Invoice" is a Java class (ArchiveInvoiceService). It becomes the `email` connector
 *    sending the invoice to the company's archive mailbox, and its import issue is cleared.
 * 2. "Approve Invoice" has two JavaScript task listeners (a re-approval goes back to whoever
 *    approved first; the approver is recorded in `approver`). They are dropped and their import
 *    issues cleared: the re-approval is offered to the approver groups again, and who approved
 *    is in the instance's history (the "Approved by" field of the bank transfer form stays empty).
 * 3. "Assign Reviewer" is assigned to Camunda's user "demo": it goes to the company's team
 *    assistant instead (an e-mail address).
 * 4. The assign-reviewer form offers demo, john, peter and mary as reviewers: it offers members of
 *    the company (their e-mail addresses), which "Review Invoice" (`assignee: =reviewer`) resolves.
 *
 * Everything else is as imported: the business rule task calling the DMN's
 * `invoice-assign-approver` (which requires `invoiceClassification`), the candidate groups
 * `=approverGroups`, the call activity and its mappings, conditions, due dates and the other forms.
 * The groups the decision names (accounting, sales, management) must be departments of the company.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importBpmn, importFormFiles, type FormDefinition, type ProcessDefinition } from '@/engine';
import { CORPUS } from './corpus';

export const INVOICE_DIR = path.join(CORPUS, 'backoffice', 'camunda7-invoice');

export interface CamundaInvoiceOptions {
  /** Who assigns reviewers (Camunda's "demo"): an e-mail address of the company. */
  teamAssistant: string;
  /** Whom the assign-reviewer form offers, by e-mail address, with a name to show. */
  reviewers: { email: string; name: string }[];
  /** Where archived invoices are mailed. */
  archive: string;
}

export interface Publication {
  definition: ProcessDefinition;
  forms: FormDefinition[];
  decisions: { dmn: string }[];
}

const read = (file: string) => readFileSync(path.join(INVOICE_DIR, file), 'utf8');

const FORM_FILES = [
  'start-form.html',
  'approve-invoice.html',
  'assign-reviewer.html',
  'review-invoice.html',
  'prepare-bank-transfer.html',
];
let imported: Map<string, FormDefinition> | undefined;

/** The example's forms, imported together: a variable's type declared on one form holds on the others. */
async function form(file: string): Promise<FormDefinition> {
  imported ??= new Map(
    importFormFiles(FORM_FILES.map((fileName) => ({ fileName, text: read(path.join('forms', fileName)) }))).map(
      (r, i) => [FORM_FILES[i]!, r.form as FormDefinition],
    ),
  );
  const found = imported.get(file);
  if (!found) throw new Error(`no form ${file} in the Camunda invoice example`);
  return found;
}

type Issue = NonNullable<ProcessDefinition['importIssues']>[number];

/** The definition without the import issues `cleared` names, failing if one of them is not there (the adaptation would be stale). */
function clear(definition: ProcessDefinition, cleared: { elementId: string; what: RegExp }[]): ProcessDefinition {
  const issues = definition.importIssues ?? [];
  for (const c of cleared) {
    if (!issues.some((i) => i.elementId === c.elementId && c.what.test(i.what)))
      throw new Error(
        `The import no longer reports ${c.what} at "${c.elementId}": review the adaptation in test/support/camunda-invoice.ts.`,
      );
  }
  const left = issues.filter((i: Issue) => !cleared.some((c) => i.elementId === c.elementId && c.what.test(i.what)));
  const { importIssues: _, ...rest } = definition;
  return (left.length > 0 ? { ...rest, importIssues: left } : rest) as ProcessDefinition;
}

function patch(
  definition: ProcessDefinition,
  elementId: string,
  change: (e: Record<string, unknown>) => Record<string, unknown>,
): ProcessDefinition {
  if (!definition.elements.some((e) => e.id === elementId))
    throw new Error(`No element "${elementId}" in the imported "${definition.key}".`);
  const elements = definition.elements.map((e) =>
    e.id === elementId ? change(e as unknown as Record<string, unknown>) : e,
  );
  return { ...definition, elements: elements as ProcessDefinition['elements'] };
}

/** The called process "Review Invoice" (key review-invoice) and the invoice (key invoice), ready for definition.publish, in that order. */
export async function camundaInvoice(
  options: CamundaInvoiceOptions,
): Promise<{ review: Publication; invoice: Publication }> {
  const review = (await importBpmn(read('reviewInvoice.bpmn'))).definition as ProcessDefinition;
  const assignReviewer = await form('assign-reviewer.html');
  const properties = (assignReviewer.schema as unknown as { properties: Record<string, Record<string, unknown>> })
    .properties;
  const reviewerField = properties.reviewer!;
  const adaptedReviewer = {
    ...reviewerField,
    oneOf: options.reviewers.map((r) => ({ const: r.email, title: r.name })),
  };

  let invoice = (await importBpmn(read('invoice.v2.bpmn'))).definition as ProcessDefinition;
  invoice = patch(invoice, 'ServiceTask_1', ({ taskType: _, ...e }) => ({
    ...e,
    taskType: 'email',
    settings: {
      to: options.archive,
      subject: '="Invoice " + invoiceNumber + " from " + creditor + " to archive"',
      body: '="Invoice " + invoiceNumber + " from " + creditor + " was approved and its bank transfer prepared: file it with its documents."',
    },
  }));
  invoice = clear(invoice, [
    { elementId: 'ServiceTask_1', what: /Java class/ },
    { elementId: 'approveInvoice', what: /taskListener \(on "create"\)/ },
    { elementId: 'approveInvoice', what: /taskListener \(on "assignment"\)/ },
  ]);

  return {
    review: {
      definition: patch(review, 'assignReviewer', (e) => ({ ...e, assignee: options.teamAssistant })),
      forms: [
        {
          ...assignReviewer,
          schema: { ...assignReviewer.schema, properties: { ...properties, reviewer: adaptedReviewer } },
        },
        await form('review-invoice.html'),
      ],
      decisions: [],
    },
    invoice: {
      definition: invoice,
      forms: [
        await form('start-form.html'),
        await form('approve-invoice.html'),
        await form('prepare-bank-transfer.html'),
      ],
      decisions: [{ dmn: read('invoiceBusinessDecisions.dmn') }],
    },
  };
}
