/**
 * Camunda Forms (form-js JSON, `.form`: `{ components: [...], type: "default", ... }`) → a
 * Trellis form definition.
 *
 * Validation keeps form-js' meaning: `validate.pattern` is tested unanchored, as form-js does
 * (`new RegExp(pattern).test(value)`), which is also what a JSON Schema `pattern` means, so the
 * pattern is kept as written; `required` also refuses an empty text, an unticked checkbox and
 * an empty choice list, as form-js does. A field hidden by a `conditional.hide` condition is not
 * validated by form-js, so its requirement becomes an `if`/`else` on the condition when the
 * condition can be translated (see feel-condition.ts).
 *
 * One small importer per component type, in a registry with aliases; unknown types are reported,
 * never fatal. Texts are kept as plain text data: labels, descriptions and text blocks are never
 * turned into markup, and `html` components are not imported.
 */
import type { JsonSchema } from '../form';
import { FormImportError } from './errors';
import { anyOf, isAlwaysSchema, isNeverSchema, translateHideCondition } from './feel-condition';
import { describeField, finishForm, formKey, formTitle, patternProblem } from './form-output';
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

export interface CamundaFormImportResult extends FormImportResult {
  format: 'camunda-form';
  /** The form's own `id` (Camunda 8 links user tasks to forms by it), when it has one. */
  formId?: string;
}

/** Groups nested deeper than this are refused (form-js designers nest two or three levels). */
const MAX_NESTING = 20;
const MAX_OPTIONS = 1_000;

/** form-js serializes times as `HH:MM`, optionally with `Z` or an offset; no seconds. */
const TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9](Z|[+-][0-9]{2}:[0-9]{2})?$';
const DATETIME_PATTERN = `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T${TIME_PATTERN.slice(1)}`;
const DECIMAL_TEXT_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';

export function importCamundaForm(text: string, options: FormImportOptions = {}): CamundaFormImportResult {
  assertFormFileSize(text, options.fileName);
  return camundaFormFromJson(parseJsonFile(text, options.fileName), options);
}

/** For callers that parsed the file already (`importFormFile`). */
export function camundaFormFromJson(data: unknown, options: FormImportOptions = {}): CamundaFormImportResult {
  if (!isRecord(data) || !Array.isArray(data.components)) {
    const found = isRecord(data) ? `"components" is ${describeJson(data.components)}` : `it is ${describeJson(data)}`;
    throw new FormImportError(
      'NOT_A_FORM',
      `${fileLabel(options.fileName)} is not a Camunda form: ${found}, not a list of components. Export the form from Camunda Modeler or the form-js playground.`,
    );
  }
  const formId = typeof data.id === 'string' && data.id.trim() !== '' ? data.id : undefined;
  const walk: Walk = { report: new ReportBuilder(), count: 0, fileName: options.fileName, conditional: [] };
  const builder = new ObjectSchemaBuilder();
  importComponents(
    data.components,
    { builder, prefix: [], hide: [], repeating: false, parentId: 'components', depth: 0 },
    walk,
  );
  applyHideConditions(builder, walk);
  const form = finishForm(builder, formKey(options, formId), formTitle(options, undefined, formId));
  return { format: 'camunda-form', form, report: walk.report.build(), ...(formId ? { formId } : {}) };
}

type Component = Record<string, unknown>;

interface HideCondition {
  elementId: string;
  expression: unknown;
}

interface Scope {
  builder: ObjectSchemaBuilder;
  /** Where this scope stores values: a group's or list's `path`. */
  prefix: string[];
  /** Conditions of enclosing groups: when one holds, everything inside is hidden. */
  hide: HideCondition[];
  /** Inside a dynamic list, conditions refer to the list item: not translated. */
  repeating: boolean;
  parentId: string;
  depth: number;
}

interface ConditionalRequirement {
  elementId: string;
  path: string[];
  requirement: JsonSchema;
  hide: HideCondition[];
}

interface Walk {
  report: ReportBuilder;
  count: number;
  fileName: string | undefined;
  /** Required fields that form-js may hide: decided once every field is known. */
  conditional: ConditionalRequirement[];
}

type ComponentImporter = (c: Component, id: string, scope: Scope, walk: Walk) => void;

function importComponents(components: unknown[], scope: Scope, walk: Walk): void {
  components.forEach((c, index) => {
    walk.count++;
    if (walk.count > MAX_FORM_FIELDS)
      throw new FormImportError(
        'TOO_MANY_FIELDS',
        `${fileLabel(walk.fileName)} has more than ${MAX_FORM_FIELDS} components; split it into several forms.`,
      );
    const fallbackId = `${scope.parentId}[${index}]`;
    if (!isRecord(c)) {
      walk.report.unsupported(
        fallbackId,
        `a component that is ${describeJson(c)}, not an object`,
        'Remove it, or export the form again from its designer.',
      );
      return;
    }
    const id = nonEmptyString(c.key) ?? nonEmptyString(c.path) ?? nonEmptyString(c.id) ?? fallbackId;
    const type = c.type;
    if (typeof type !== 'string') {
      walk.report.unsupported(
        id,
        'a component without a type',
        'Give it a form-js type (textfield, select, ...) or remove it.',
      );
      return;
    }
    // Own properties only: a type named "constructor" or "__proto__" is just unknown.
    const importer = Object.hasOwn(COMPONENTS, type) ? COMPONENTS[type] : undefined;
    if (!importer) {
      walk.report.unsupported(
        id,
        `component type "${type.slice(0, 100)}"`,
        'Trellis has no equivalent: add a field for it by hand in the form designer, or remove it.',
      );
      return;
    }
    importer(c, id, scope, walk);
  });
}

/** What a keyed component becomes: its schema, RJSF hints and what "required" adds. */
interface FieldShape {
  schema: JsonSchema;
  ui?: Record<string, unknown>;
  requirement?: JsonSchema;
  note?: string;
}

type ShapeOf = (c: Component, id: string, walk: Walk) => FieldShape;

/** The part every input shares: key, label, description, default, read-only, required, hide. */
function field(shapeOf: ShapeOf): ComponentImporter {
  return (c, id, scope, walk) => {
    const key = nonEmptyString(c.key);
    if (!key) {
      walk.report.unsupported(
        id,
        `a ${String(c.type)} field without a key`,
        'Give the field a key (the variable its value is stored in) and import again.',
      );
      return;
    }
    const shape = shapeOf(c, id, walk);
    const { type, ...constraints } = shape.schema;
    const title = text(c.label ?? c.dateLabel ?? c.timeLabel, id, 'label', walk) ?? humanize(key);
    const description = text(c.description, id, 'description', walk);
    const schema: JsonSchema = { type, title, ...(description ? { description } : {}), ...constraints };
    const ui: Record<string, unknown> = { ...(shape.ui ?? {}) };
    if (c.defaultValue !== undefined) setDefault(schema, c.defaultValue, id, walk);
    for (const [property, hint] of [
      ['readonly', 'ui:readonly'],
      ['disabled', 'ui:disabled'],
    ] as const) {
      if (c[property] === true) ui[hint] = true;
      else if (typeof c[property] === 'string')
        walk.report.unsupported(
          id,
          `${property} decided by the expression ${preview(c[property])}`,
          `Trellis forms cannot compute ${property}; the field is editable. Set "${hint}" in the form designer if it should never be.`,
        );
    }
    const validate = isRecord(c.validate) ? c.validate : {};
    let required = validate.required === true;
    if (typeof validate.required === 'string') {
      walk.report.unsupported(
        id,
        `required decided by the expression ${preview(validate.required)}`,
        'The field is imported as optional; make it required in the form designer, or add an if/then rule to the schema.',
      );
    }
    const hide = [...scope.hide, ...ownHide(c, id)];
    const path = [...scope.prefix, ...key.split('.')];
    const problem = scope.builder.add({
      path,
      schema,
      ui,
      required: required && hide.length === 0,
      requirement: shape.requirement,
    });
    if (problem) {
      walk.report.unsupported(id, `field ${preview(key, 60)} not imported: ${problem}`, 'Give each field its own key.');
      return;
    }
    if (hide.length > 0) {
      if (scope.repeating) {
        walk.report.unsupported(
          id,
          `hidden by ${hide.map((h) => preview(h.expression)).join(' or ')} inside a repeating list`,
          required
            ? 'The condition refers to the list item and is not translated, so the field is imported as optional; require it with an if/then rule in the item schema.'
            : 'The condition refers to the list item and is not translated; the field is always shown.',
        );
        required = false;
      } else if (required) walk.conditional.push({ elementId: id, path, requirement: shape.requirement ?? {}, hide });
      else
        walk.report.translated(
          `${id}: hidden in form-js when ${hide.map((h) => preview(h.expression)).join(' or ')}; Trellis shows it always (RJSF cannot hide a field by condition)`,
        );
    }
    walk.report.translated(
      `${id}: ${String(c.type)} → ${describeField(schema, required && hide.length === 0)}${shape.note ? `; ${shape.note}` : ''}`,
    );
  };
}

function ownHide(c: Component, id: string): HideCondition[] {
  const conditional = isRecord(c.conditional) ? c.conditional : undefined;
  return conditional?.hide !== undefined && conditional.hide !== ''
    ? [{ elementId: id, expression: conditional.hide }]
    : [];
}

/**
 * A required field form-js may hide stays required only while it is visible. When a condition
 * cannot be translated, the field is imported as optional: refusing data form-js accepts would
 * be worse than accepting a missing value, and the report says so.
 */
function applyHideConditions(builder: ObjectSchemaBuilder, walk: Walk): void {
  for (const entry of walk.conditional) {
    const parts: JsonSchema[] = [];
    let failed: string | undefined;
    for (const h of entry.hide) {
      // form-js only evaluates conditions that start with "=": anything else never hides.
      if (typeof h.expression !== 'string' || !h.expression.startsWith('=')) continue;
      const t = translateHideCondition(h.expression.slice(1), (p) => builder.typeOf(p));
      if (!t.ok) {
        failed = `${preview(h.expression)} (on ${h.elementId}): ${t.reason}`;
        break;
      }
      parts.push(t.hiddenWhen);
    }
    const hiddenWhen = anyOf(parts);
    const conditions = entry.hide.map((h) => preview(h.expression)).join(' or ');
    if (failed)
      walk.report.unsupported(
        entry.elementId,
        `required unless hidden by ${failed}`,
        'The field is imported as optional. Add an if/then rule to the schema by hand if it must be filled while visible.',
      );
    else if (isNeverSchema(hiddenWhen)) {
      builder.require(entry.path, entry.requirement);
      walk.report.translated(
        `${entry.elementId}: hidden when ${conditions}, which can never hold for valid data: always required`,
      );
    } else if (isAlwaysSchema(hiddenWhen)) {
      walk.report.translated(`${entry.elementId}: hidden when ${conditions}, which always holds: never required`);
    } else {
      builder.requireUnless(entry.path, entry.requirement, hiddenWhen);
      walk.report.translated(
        `${entry.elementId}: required unless ${conditions} (an if/else rule; Trellis shows the field always)`,
      );
    }
  }
}

/** Plain text from a label or description; FEEL expressions and templates are reported. */
function text(value: unknown, id: string, what: string, walk: Walk): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (value.startsWith('=')) {
    walk.report.unsupported(
      id,
      `${what} computed by the expression ${preview(value)}`,
      `Write a fixed ${what} in the form designer; the key is used meanwhile.`,
    );
    return undefined;
  }
  if (value.includes('{{'))
    walk.report.unsupported(
      id,
      `${what} with template placeholders ({{...}})`,
      'Placeholders are kept as written, not filled in; reword the text.',
    );
  return what === 'label' ? plainLabel(value) : value.trim().slice(0, 2_000);
}

function setDefault(schema: JsonSchema, value: unknown, id: string, walk: Walk): void {
  const type = schema.type;
  const ok =
    (type === 'string' && typeof value === 'string') ||
    (type === 'boolean' && typeof value === 'boolean') ||
    ((type === 'number' || type === 'integer') && typeof value === 'number') ||
    (type === 'array' &&
      Array.isArray(value) &&
      value.length <= MAX_OPTIONS &&
      value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'));
  if (ok) schema.default = value;
  else
    walk.report.unsupported(
      id,
      `default value ${preview(value)} does not fit the field (${String(type)})`,
      'Set a default in the form designer.',
    );
}

function validation(c: Component): Record<string, unknown> {
  return isRecord(c.validate) ? c.validate : {};
}

/** A number-valued validation setting; FEEL-valued ones are reported. */
function limit(c: Component, name: string, id: string, walk: Walk): number | undefined {
  const value = validation(c)[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value !== undefined && value !== null && value !== '')
    walk.report.unsupported(
      id,
      `validate.${name} ${preview(value)}`,
      `Only a fixed number can be translated; set ${name} in the form designer.`,
    );
  return undefined;
}

const textField =
  (multiline: boolean): ShapeOf =>
  (c, id, walk) => {
    const schema: JsonSchema = { type: 'string' };
    const ui: Record<string, unknown> = multiline ? { 'ui:widget': 'textarea' } : {};
    const notes: string[] = [];
    const minLength = limit(c, 'minLength', id, walk);
    const maxLength = limit(c, 'maxLength', id, walk);
    if (minLength !== undefined && minLength >= 0) schema.minLength = Math.floor(minLength);
    if (maxLength !== undefined && maxLength >= 0) schema.maxLength = Math.floor(maxLength);
    if (minLength !== undefined || maxLength !== undefined)
      notes.push('lengths count surrounding spaces, which form-js trims');
    const { pattern, validationType } = validation(c);
    if (typeof pattern === 'string' && pattern !== '') {
      if (pattern.startsWith('='))
        walk.report.unsupported(
          id,
          `validate.pattern computed by ${preview(pattern)}`,
          'Write a fixed pattern in the form designer.',
        );
      else {
        const problem = patternProblem(pattern);
        if (problem)
          walk.report.unsupported(
            id,
            `validate.pattern ${preview(pattern)} is not a valid JSON Schema (Unicode) regular expression: ${problem}`,
            'Rewrite it without escapes the "u" flag refuses (e.g. "\\-" outside a character class) and set it in the form designer.',
          );
        else {
          // form-js tests the pattern unanchored, like JSON Schema: kept as written.
          schema.pattern = pattern;
          notes.push('pattern tested unanchored, as form-js does');
        }
      }
    }
    if (validationType === 'email') schema.format = 'email';
    else if (validationType === 'phone') {
      ui['ui:inputType'] = 'tel';
      walk.report.unsupported(
        id,
        'phone number validation (validationType "phone")',
        'JSON Schema has no phone format; add a pattern for the numbers you accept in the form designer.',
      );
    } else if (validationType !== undefined && validationType !== 'custom' && validationType !== '') {
      walk.report.unsupported(
        id,
        `validationType ${preview(validationType)}`,
        'Add a pattern or format in the form designer.',
      );
    }
    return { schema, ui, requirement: { minLength: 1 }, note: notes.join('; ') || undefined };
  };

const numberField: ShapeOf = (c, id, walk) => {
  if (c.serializeToString === true) {
    const schema: JsonSchema = { type: 'string', pattern: DECIMAL_TEXT_PATTERN };
    if (validation(c).min !== undefined || validation(c).max !== undefined) {
      walk.report.unsupported(
        id,
        'minimum/maximum of a number stored as text (serializeToString)',
        'JSON Schema cannot compare texts as numbers; store the value as a number, or check the range in the process.',
      );
    }
    return { schema, requirement: { minLength: 1 }, note: 'stored as text, as serializeToString asks' };
  }
  const schema: JsonSchema = { type: c.decimalDigits === 0 ? 'integer' : 'number' };
  const min = limit(c, 'min', id, walk);
  const max = limit(c, 'max', id, walk);
  if (min !== undefined) schema.minimum = min;
  if (max !== undefined) schema.maximum = max;
  if (typeof c.decimalDigits === 'number' && c.decimalDigits > 0) {
    walk.report.unsupported(
      id,
      `at most ${c.decimalDigits} decimal digits`,
      'Not checked: JSON Schema multipleOf is unreliable with decimal fractions. Round the value in the process, or use whole numbers of the smallest unit.',
    );
  }
  if (c.increment !== undefined && c.increment !== null && c.increment !== '') {
    walk.report.unsupported(
      id,
      `increment ${preview(c.increment)}`,
      'Not checked; use multipleOf in the schema for whole-number steps.',
    );
  }
  return { schema };
};

const checkbox: ShapeOf = () => ({
  // form-js submits false for an unticked box, and "required" means it must be ticked.
  schema: { type: 'boolean', default: false },
  requirement: { enum: [true] },
});

interface Options {
  type: 'string' | 'number' | 'boolean';
  oneOf?: { const: string | number | boolean; title: string }[];
}

/** Static `values` → `oneOf`; options from input data (`valuesKey`, `valuesExpression`) are reported. */
function options(c: Component, id: string, walk: Walk): Options {
  if (c.valuesKey !== undefined || c.valuesExpression !== undefined) {
    const source =
      c.valuesKey !== undefined
        ? `the input variable ${preview(c.valuesKey)}`
        : `the expression ${preview(c.valuesExpression)}`;
    walk.report.unsupported(
      id,
      `options taken from ${source}`,
      'Trellis forms have fixed options: list them in the form designer (the field accepts any text until then).',
    );
    return { type: 'string' };
  }
  if (!Array.isArray(c.values) || c.values.length === 0) {
    walk.report.unsupported(id, 'a choice without options', 'Add the options in the form designer.');
    return { type: 'string' };
  }
  const oneOf: { const: string | number | boolean; title: string }[] = [];
  const seen = new Set<unknown>();
  for (const entry of c.values.slice(0, MAX_OPTIONS)) {
    const value = isRecord(entry) ? entry.value : undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      walk.report.unsupported(
        id,
        `an option whose value is ${describeJson(value)}`,
        'Options need a text, number or yes/no value; fix it in the form designer.',
      );
      continue;
    }
    if (seen.has(value)) continue;
    seen.add(value);
    const label =
      isRecord(entry) && typeof entry.label === 'string' && entry.label.trim() !== ''
        ? plainLabel(entry.label)
        : String(value);
    oneOf.push({ const: value, title: label });
  }
  if (c.values.length > MAX_OPTIONS)
    walk.report.unsupported(id, `${c.values.length} options`, `Only the first ${MAX_OPTIONS} were imported.`);
  const types = new Set(oneOf.map((o) => typeof o.const));
  if (types.size > 1) {
    walk.report.unsupported(
      id,
      'options that mix texts, numbers and yes/no values',
      'Give all options values of one type in the form designer; the field accepts any text until then.',
    );
    return { type: 'string' };
  }
  const type = (types.values().next().value ?? 'string') as Options['type'];
  return oneOf.length > 0 ? { type, oneOf } : { type };
}

const singleChoice =
  (widget: string | undefined): ShapeOf =>
  (c, id, walk) => {
    const { type, oneOf } = options(c, id, walk);
    return {
      schema: oneOf ? { type, oneOf } : { type },
      ui: widget ? { 'ui:widget': widget } : {},
      // form-js: an empty text is no choice.
      requirement: type === 'string' ? { minLength: 1 } : {},
    };
  };

const multipleChoice =
  (widget: string | undefined): ShapeOf =>
  (c, id, walk) => {
    const { type, oneOf } = options(c, id, walk);
    return {
      schema: { type: 'array', items: oneOf ? { type, oneOf } : { type }, uniqueItems: true },
      ui: widget ? { 'ui:widget': widget } : {},
      requirement: { minItems: 1 },
    };
  };

const datetime: ShapeOf = (c, id, walk) => {
  if (c.disallowPassedDates === true) {
    walk.report.unsupported(
      id,
      'past dates disallowed (disallowPassedDates)',
      'A form schema has no clock; check the date in the process, or with a decision.',
    );
  }
  const subtype = c.subtype ?? 'date';
  if (subtype === 'time')
    return {
      schema: { type: 'string', pattern: TIME_PATTERN },
      ui: { 'ui:placeholder': 'HH:MM' },
      note: 'a time as form-js stores it (HH:MM, optional zone)',
    };
  if (subtype === 'datetime')
    return {
      schema: { type: 'string', pattern: DATETIME_PATTERN },
      ui: { 'ui:placeholder': 'YYYY-MM-DDTHH:MM' },
      note: 'a date and time as form-js stores them (no seconds)',
    };
  if (subtype !== 'date')
    walk.report.unsupported(
      id,
      `date/time subtype ${preview(subtype)}`,
      'Imported as a date; change it in the form designer.',
    );
  return { schema: { type: 'string', format: 'date' } };
};

/** A text block: shown as the form's description. Markdown stays as written, plain text. */
const displayText: ComponentImporter = (c, id, scope, walk) => {
  const content = text(c.text, id, 'text', walk);
  if (!content) return;
  if (scope.depth > 0 || scope.prefix.length > 0)
    walk.report.translated(`${id}: text block → form description (moved out of its group)`);
  else walk.report.translated(`${id}: text block → form description (markdown shown as plain text)`);
  if (ownHide(c, id).length > 0)
    walk.report.translated(`${id}: text block hidden by a condition in form-js; Trellis shows it always`);
  scope.builder.describe(content);
};

const ignored =
  (why: string): ComponentImporter =>
  (c, id, _scope, walk) => {
    walk.report.translated(`${id}: ${String(c.type)} ignored (${why})`);
  };

const unsupported =
  (what: string, hint: string): ComponentImporter =>
  (_c, id, _scope, walk) => {
    walk.report.unsupported(id, what, hint);
  };

const group: ComponentImporter = (c, id, scope, walk) => {
  if (scope.depth >= MAX_NESTING) {
    walk.report.unsupported(id, `a group nested more than ${MAX_NESTING} levels deep`, 'Flatten the form.');
    return;
  }
  const children = Array.isArray(c.components) ? c.components : [];
  const path = nonEmptyString(c.path);
  const label = typeof c.label === 'string' ? text(c.label, id, 'label', walk) : undefined;
  let prefix = scope.prefix;
  if (path) {
    prefix = [...scope.prefix, ...path.split('.')];
    const problem = scope.builder.object(prefix, label ? { title: label } : { title: humanize(path) });
    if (problem) {
      walk.report.unsupported(
        id,
        `group stored at ${preview(path, 60)} not imported: ${problem}`,
        'Give the group its own path.',
      );
      return;
    }
    walk.report.translated(`${id}: group → object "${prefix.join('.')}"`);
  } else if (label)
    walk.report.translated(
      `${id}: group "${label}" → its fields, in place (RJSF has no untitled sections; the group title is dropped)`,
    );
  importComponents(
    children,
    {
      ...scope,
      prefix,
      hide: [...scope.hide, ...ownHide(c, id)],
      parentId: `${id}.components`,
      depth: scope.depth + 1,
    },
    walk,
  );
};

const dynamicList: ComponentImporter = (c, id, scope, walk) => {
  const path = nonEmptyString(c.path);
  if (!path) {
    walk.report.unsupported(
      id,
      'a dynamic list without a path',
      'Give the list a path (the variable its items are stored in).',
    );
    return;
  }
  if (scope.depth >= MAX_NESTING) {
    walk.report.unsupported(id, `a list nested more than ${MAX_NESTING} levels deep`, 'Flatten the form.');
    return;
  }
  const items = new ObjectSchemaBuilder();
  importComponents(
    Array.isArray(c.components) ? c.components : [],
    { builder: items, prefix: [], hide: [], repeating: true, parentId: `${id}.components`, depth: scope.depth + 1 },
    walk,
  );
  const built = items.build({ closed: true });
  const fixedCount = c.allowAddRemove === false;
  const shape: FieldShape = {
    schema: { type: 'array', items: built.schema },
    ui: {
      ...(Object.keys(built.uiSchema).length > 0 ? { items: built.uiSchema } : {}),
      'ui:options': fixedCount ? { addable: false, removable: false, orderable: false } : { orderable: false },
    },
    requirement: {},
  };
  field(() => shape)({ ...c, key: path }, id, scope, walk);
};

const COMPONENTS: Record<string, ComponentImporter> = {
  textfield: field(textField(false)),
  textarea: field(textField(true)),
  number: field(numberField),
  checkbox: field(checkbox),
  radio: field(singleChoice('radio')),
  select: field(singleChoice(undefined)),
  checklist: field(multipleChoice('checkboxes')),
  taglist: field(multipleChoice(undefined)),
  datetime: field(datetime),
  text: displayText,
  group,
  dynamiclist: dynamicList,
  button: ignored('RJSF has its own submit button'),
  separator: ignored('layout only'),
  spacer: ignored('layout only'),
  html: unsupported(
    'an HTML block',
    'Raw HTML is never imported; write its wording as a text description in the form designer.',
  ),
  image: unsupported('an image', 'Trellis forms show no images; link the image from the task description instead.'),
  iframe: unsupported(
    'an embedded page (iframe)',
    'Trellis forms embed no pages; link the page from the task description instead.',
  ),
  table: unsupported('a data table', 'Show the data in the task description or a read-only field.'),
  documentPreview: unsupported(
    'a document preview',
    'Trellis forms carry data, not documents; link the document from the task.',
  ),
  filepicker: unsupported(
    'a file upload',
    'Trellis forms carry data, not files; collect the file outside the form and store a reference (a URL or document id) in a text field.',
  ),
  expression: unsupported(
    'a value computed with FEEL (expression field)',
    'Compute it in the process (a script task or an output mapping) instead of in the form.',
  ),
};

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
