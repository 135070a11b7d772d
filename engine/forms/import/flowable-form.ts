/**
 * Flowable form JSON (`.form`: `{ name, key, version, fields: [...], outcomes: [...] }`) → a
 * Trellis form definition.
 *
 * Flowable's outcome buttons ("Accept", "Reject") become one required choice, `outcome`; Flowable
 * stores the chosen outcome in the process variable `form_<formKey>_outcome`, so the result names
 * that variable for the BPMN importer to map conditions such as
 * `${form_loanreview_outcome == "Accept"}` onto the form's `outcome` field.
 *
 * One small importer per field type, in a registry with aliases; unknown types are reported,
 * never fatal. Labels stay plain text.
 */
import type { JsonSchema } from '../form';
import { FormImportError } from './errors';
import { describeField, finishForm, formKey, formTitle } from './form-output';
import {
  MAX_FORM_FIELDS,
  assertFormFileSize,
  describeJson,
  fileLabel,
  isRecord,
  parseJsonFile,
  preview,
} from './input';
import { ReportBuilder, type FormImportOptions, type FormImportResult } from './result';
import { ObjectSchemaBuilder } from './schema-builder';
import { humanize, plainLabel } from './text';

export interface FlowableOutcome {
  /** The form field holding the chosen outcome. */
  property: string;
  /** The process variable Flowable stores it in: `form_<formKey>_outcome`. */
  variable: string;
  /** The outcomes, as stored (Flowable stores the outcome's name). */
  values: string[];
}

export interface FlowableFormImportResult extends FormImportResult {
  format: 'flowable-form';
  /** The form's Flowable key, as BPMN `flowable:formKey` refers to it. */
  flowableKey?: string;
  outcome?: FlowableOutcome;
}

const MAX_NESTING = 20;
const MAX_OPTIONS = 1_000;
const OUTCOME_NAMES = ['outcome', 'formOutcome', 'flowableOutcome'];

export function importFlowableForm(text: string, options: FormImportOptions = {}): FlowableFormImportResult {
  assertFormFileSize(text, options.fileName);
  return flowableFormFromJson(parseJsonFile(text, options.fileName), options);
}

/** For callers that parsed the file already (`importFormFile`). */
export function flowableFormFromJson(data: unknown, options: FormImportOptions = {}): FlowableFormImportResult {
  if (!isRecord(data) || !Array.isArray(data.fields)) {
    const found = isRecord(data) ? `"fields" is ${describeJson(data.fields)}` : `it is ${describeJson(data)}`;
    throw new FormImportError(
      'NOT_A_FORM',
      `${fileLabel(options.fileName)} is not a Flowable form: ${found}, not a list of fields. Export the form from the Flowable Modeler.`,
    );
  }
  const flowableKey = nonEmptyString(data.key);
  const name = nonEmptyString(data.name);
  const walk: Walk = {
    report: new ReportBuilder(),
    count: 0,
    fileName: options.fileName,
    builder: new ObjectSchemaBuilder(),
  };
  importFields(data.fields, 'fields', 0, walk);
  const outcome = importOutcomes(data.outcomes, flowableKey ?? formKey(options, undefined), walk);
  const form = finishForm(
    walk.builder,
    formKey(options, flowableKey),
    formTitle(options, name ? plainLabel(name) : undefined, flowableKey),
  );
  return {
    format: 'flowable-form',
    form,
    report: walk.report.build(),
    ...(flowableKey ? { flowableKey } : {}),
    ...(outcome ? { outcome } : {}),
  };
}

type Field = Record<string, unknown>;

interface Walk {
  report: ReportBuilder;
  count: number;
  fileName: string | undefined;
  builder: ObjectSchemaBuilder;
}

interface FieldShape {
  schema: JsonSchema;
  ui?: Record<string, unknown>;
  requirement?: JsonSchema;
  note?: string;
}

type ShapeOf = (f: Field, id: string, walk: Walk) => FieldShape;
type FieldImporter = (f: Field, id: string, depth: number, walk: Walk) => void;

function importFields(fields: unknown[], parentId: string, depth: number, walk: Walk): void {
  fields.forEach((f, index) => {
    // A container's `fields` are rows: lists of fields.
    if (Array.isArray(f)) {
      if (depth >= MAX_NESTING)
        walk.report.unsupported(
          `${parentId}[${index}]`,
          `fields nested more than ${MAX_NESTING} levels deep`,
          'Flatten the form.',
        );
      else importFields(f, `${parentId}[${index}]`, depth + 1, walk);
      return;
    }
    walk.count++;
    if (walk.count > MAX_FORM_FIELDS)
      throw new FormImportError(
        'TOO_MANY_FIELDS',
        `${fileLabel(walk.fileName)} has more than ${MAX_FORM_FIELDS} fields; split it into several forms.`,
      );
    const fallbackId = `${parentId}[${index}]`;
    if (!isRecord(f)) {
      walk.report.unsupported(
        fallbackId,
        `a field that is ${describeJson(f)}, not an object`,
        'Remove it, or export the form again from the Flowable Modeler.',
      );
      return;
    }
    const id = nonEmptyString(f.id) ?? fallbackId;
    const type = f.fieldType === 'ExpressionFormField' ? 'expression' : f.type;
    if (typeof type !== 'string') {
      walk.report.unsupported(
        id,
        'a field without a type',
        'Give it a Flowable field type (text, integer, dropdown, ...) or remove it.',
      );
      return;
    }
    const importer = Object.hasOwn(FIELD_TYPES, type) ? FIELD_TYPES[type] : undefined;
    if (!importer) {
      walk.report.unsupported(
        id,
        `field type "${type.slice(0, 100)}"`,
        'Trellis has no equivalent: add a field for it by hand in the form designer, or remove it.',
      );
      return;
    }
    importer(f, id, depth, walk);
  });
}

/** The part every input shares: id, name, placeholder, default, read-only, required, params. */
function input(shapeOf: ShapeOf): FieldImporter {
  return (f, id, _depth, walk) => {
    const key = nonEmptyString(f.id);
    if (!key) {
      walk.report.unsupported(
        id,
        `a ${String(f.type)} field without an id`,
        'Give the field an id (the variable its value is stored in) and import again.',
      );
      return;
    }
    const shape = shapeOf(f, id, walk);
    const { type, ...constraints } = shape.schema;
    const title = typeof f.name === 'string' && f.name.trim() !== '' ? plainLabel(f.name) : humanize(key);
    const schema: JsonSchema = { type, title, ...constraints };
    const ui: Record<string, unknown> = { ...(shape.ui ?? {}) };
    if (f.readOnly === true) ui['ui:readonly'] = true;
    if (typeof f.placeholder === 'string' && f.placeholder.trim() !== '')
      ui['ui:placeholder'] = f.placeholder.trim().slice(0, 500);
    if (f.value !== undefined && f.value !== null && f.value !== '' && schema.default === undefined)
      setDefault(schema, f.value, id, walk);
    reportParams(f, id, walk);
    const required = f.required === true;
    // Keys are used as written: Flowable variable names never contain dots as paths.
    const problem = walk.builder.add({ path: [key], schema, ui, required, requirement: shape.requirement });
    if (problem) {
      walk.report.unsupported(id, `field ${preview(key, 60)} not imported: ${problem}`, 'Give each field its own id.');
      return;
    }
    walk.report.translated(
      `${id}: ${String(f.type)} → ${describeField(schema, required)}${f.readOnly === true ? ', read-only' : ''}${shape.note ? `; ${shape.note}` : ''}`,
    );
  };
}

function reportParams(f: Field, id: string, walk: Walk): void {
  if (!isRecord(f.params)) return;
  const used = Object.entries(f.params).filter(
    ([, v]) => v !== null && v !== undefined && v !== '' && !(isRecord(v) && Object.keys(v).length === 0),
  );
  if (used.length === 0) return;
  walk.report.unsupported(
    id,
    `field parameters ${used.map(([k]) => k.slice(0, 50)).join(', ')}`,
    'Flowable field parameters are not translated; add the matching rules (pattern, lengths, ...) in the form designer.',
  );
}

function setDefault(schema: JsonSchema, value: unknown, id: string, walk: Walk): void {
  const type = schema.type;
  let coerced: unknown = value;
  // Flowable keeps default values as text.
  if (
    (type === 'integer' || type === 'number') &&
    typeof value === 'string' &&
    /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim())
  )
    coerced = Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) coerced = value === 'true';
  const fits =
    (type === 'string' && typeof coerced === 'string') ||
    (type === 'boolean' && typeof coerced === 'boolean') ||
    (type === 'number' && typeof coerced === 'number') ||
    (type === 'integer' && Number.isInteger(coerced));
  const choices = Array.isArray(schema.oneOf) ? (schema.oneOf as { const: unknown }[]) : undefined;
  if (fits && (!choices || choices.some((c) => c.const === coerced))) schema.default = coerced;
  else
    walk.report.unsupported(
      id,
      `default value ${preview(value)} does not fit the field`,
      'Set a default in the form designer.',
    );
}

const text =
  (widget: string | undefined): ShapeOf =>
  () => ({ schema: { type: 'string' }, ui: widget ? { 'ui:widget': widget } : {}, requirement: { minLength: 1 } });
const integer: ShapeOf = () => ({ schema: { type: 'integer' } });
const decimal: ShapeOf = () => ({ schema: { type: 'number' } });
const boolean: ShapeOf = () => ({ schema: { type: 'boolean' } });
const date: ShapeOf = () => ({ schema: { type: 'string', format: 'date' } });
const person: ShapeOf = () => ({
  schema: { type: 'string' },
  requirement: { minLength: 1 },
  note: 'a user id as text',
});
const group: ShapeOf = () => ({
  schema: { type: 'string' },
  requirement: { minLength: 1 },
  note: 'a group id as text',
});

/**
 * `options` → `oneOf`. With `hasEmptyValue`, Flowable's first option is the "Please choose"
 * placeholder: not a choice. Options from an expression are reported.
 */
const choice =
  (widget: string | undefined): ShapeOf =>
  (f, id, walk) => {
    if (f.optionsExpression !== undefined && f.optionsExpression !== null && f.optionsExpression !== '') {
      walk.report.unsupported(
        id,
        `options taken from the expression ${preview(f.optionsExpression)}`,
        'Trellis forms have fixed options: list them in the form designer (the field accepts any text until then).',
      );
      return { schema: { type: 'string' }, requirement: { minLength: 1 } };
    }
    const entries = Array.isArray(f.options) ? f.options : [];
    const placeholder = f.hasEmptyValue === true ? entries[0] : undefined;
    const oneOf: { const: string; title: string }[] = [];
    for (const entry of entries.slice(placeholder === undefined ? 0 : 1, MAX_OPTIONS + 1)) {
      const name = isRecord(entry) ? nonEmptyString(entry.name) : undefined;
      const value = isRecord(entry) ? (nonEmptyString(entry.id) ?? name) : undefined;
      if (!value) {
        walk.report.unsupported(
          id,
          'an option without a name or id',
          'Fix the option in the Flowable Modeler or the form designer.',
        );
        continue;
      }
      if (!oneOf.some((o) => o.const === value)) oneOf.push({ const: value, title: plainLabel(name ?? value) });
    }
    if (oneOf.length === 0) {
      walk.report.unsupported(id, 'a choice without options', 'Add the options in the form designer.');
      return { schema: { type: 'string' }, requirement: { minLength: 1 } };
    }
    const placeholderName = isRecord(placeholder)
      ? (nonEmptyString(placeholder.id) ?? nonEmptyString(placeholder.name))
      : undefined;
    const note = placeholderName ? `"${placeholderName}" is the empty choice, not an option` : undefined;
    return {
      schema: { type: 'string', oneOf },
      ui: widget ? { 'ui:widget': widget } : {},
      requirement: { minLength: 1 },
      note,
    };
  };

/** A choice whose value is the placeholder starts empty: no default. */
function choiceField(widget: string | undefined): FieldImporter {
  const importer = input(choice(widget));
  return (f, id, depth, walk) => {
    const first = Array.isArray(f.options) ? f.options[0] : undefined;
    const placeholder =
      f.hasEmptyValue === true && isRecord(first)
        ? (nonEmptyString(first.id) ?? nonEmptyString(first.name))
        : undefined;
    importer(placeholder !== undefined && f.value === placeholder ? { ...f, value: null } : f, id, depth, walk);
  };
}

const container: FieldImporter = (f, id, depth, walk) => {
  if (depth >= MAX_NESTING) {
    walk.report.unsupported(id, `a container nested more than ${MAX_NESTING} levels deep`, 'Flatten the form.');
    return;
  }
  walk.report.translated(`${id}: container → its fields, in place`);
  importFields(Array.isArray(f.fields) ? f.fields : [], `${id}.fields`, depth + 1, walk);
};

const ignored =
  (why: string): FieldImporter =>
  (f, id, _depth, walk) => {
    walk.report.translated(`${id}: ${String(f.type)} ignored (${why})`);
  };

const unsupported =
  (what: string, hint: string): FieldImporter =>
  (_f, id, _depth, walk) => {
    walk.report.unsupported(id, what, hint);
  };

const FIELD_TYPES: Record<string, FieldImporter> = {
  text: input(text(undefined)),
  'multi-line-text': input(text('textarea')),
  password: input(text('password')),
  integer: input(integer),
  decimal: input(decimal),
  amount: input(decimal),
  boolean: input(boolean),
  date: input(date),
  dropdown: choiceField(undefined),
  'radio-buttons': choiceField('radio'),
  people: input(person),
  'functional-group': input(group),
  container,
  headline: ignored('layout only'),
  'headline-with-line': ignored('layout only'),
  spacer: ignored('layout only'),
  'horizontal-line': ignored('layout only'),
  expression: unsupported(
    'text computed by an expression',
    'Show the value in the task description or as a read-only field filled by the process.',
  ),
  'readonly-text': unsupported('a read-only text', 'Write the text into the form description in the form designer.'),
  hyperlink: unsupported('a link', 'Put the link into the task description.'),
  upload: unsupported(
    'a file upload',
    'Trellis forms carry data, not files; collect the file outside the form and store a reference (a URL or document id) in a text field.',
  ),
};

function importOutcomes(outcomes: unknown, flowableKey: string, walk: Walk): FlowableOutcome | undefined {
  if (outcomes === undefined || outcomes === null) return undefined;
  if (!Array.isArray(outcomes)) {
    walk.report.unsupported(
      'outcomes',
      `outcomes that are ${describeJson(outcomes)}, not a list`,
      'Fix the outcomes in the Flowable Modeler.',
    );
    return undefined;
  }
  const values: string[] = [];
  outcomes.slice(0, MAX_OPTIONS).forEach((o, index) => {
    // Flowable completes the task with the outcome's name: that is what conditions compare with.
    const value = isRecord(o) ? (nonEmptyString(o.name) ?? nonEmptyString(o.id)) : undefined;
    if (!value)
      walk.report.unsupported(
        `outcomes[${index}]`,
        'an outcome without a name',
        'Name the outcome in the Flowable Modeler.',
      );
    else if (!values.includes(value)) values.push(value);
  });
  if (values.length === 0) return undefined;
  const property = OUTCOME_NAMES.find((n) => walk.builder.typeOf([n]) === undefined);
  if (!property) {
    walk.report.unsupported(
      'outcomes',
      `outcomes ${values.join(', ')}`,
      `The form already has fields named ${OUTCOME_NAMES.join(', ')}; add the outcome choice by hand.`,
    );
    return undefined;
  }
  walk.builder.add({
    path: [property],
    schema: { type: 'string', title: 'Outcome', oneOf: values.map((v) => ({ const: v, title: v })) },
    ui: { 'ui:widget': 'radio' },
    required: true,
    requirement: { minLength: 1 },
  });
  const variable = `form_${flowableKey}_outcome`;
  walk.report.translated(
    `outcomes ${values.join(', ')} → required choice "${property}" (Flowable stores it in ${variable})`,
  );
  return { property, variable, values };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
