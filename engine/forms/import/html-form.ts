/**
 * Camunda 7 embedded HTML forms (`<input cam-variable-name="amount" cam-variable-type="Double">`,
 * `<select cam-variable-name=...>`, `<textarea ...>`) → an inventory of the variables the form
 * reads and writes, and a draft Trellis form definition built from it.
 *
 * No DOM and no HTML parser: one pass of a bounded regular expression over the tags that matter
 * (controls, labels, options), after comments, scripts and styles are cut out with `indexOf`.
 * Every quantifier has an upper bound, so no input makes the scan slow. Scripts are reported and
 * never run; label texts are reduced to plain text (tags dropped, a few entities decoded) and
 * never turned back into markup.
 */
import type { JsonSchema } from '../form';
import { FormImportError } from './errors';
import { describeField, finishForm, formKey, formTitle } from './form-output';
import { MAX_FORM_FIELDS, assertFormFileSize, fileLabel, preview, stripBom } from './input';
import { ReportBuilder, type FormImportOptions, type FormImportResult } from './result';
import { ObjectSchemaBuilder } from './schema-builder';
import { humanize, plainLabel } from './text';

export interface HtmlFormOption {
  value: string;
  label: string;
}

export interface HtmlFormField {
  /** The process variable (`cam-variable-name`). */
  name: string;
  /** Camunda variable type: `String`, `Double`, `Boolean`, `File`, ... */
  type: string;
  /** Where the type comes from: the form (`cam-variable-type`), the caller's `variableTypes`, or a guess from the control. */
  typeSource: 'declared' | 'known' | 'guessed';
  label?: string;
  required: boolean;
  readOnly: boolean;
  control: 'input' | 'select' | 'textarea';
  /** The `type` of an `<input>`: text, checkbox, radio, file, ... */
  inputType?: string;
  options?: HtmlFormOption[];
}

export interface HtmlFormImportOptions extends FormImportOptions {
  /**
   * Types of variables the form shows without declaring them (Camunda reads those from the
   * running process), for example taken from the start form's inventory.
   */
  variableTypes?: Record<string, string>;
}

export interface HtmlFormImportResult extends FormImportResult {
  format: 'camunda-html';
  fields: HtmlFormField[];
}

const MAX_ATTRIBUTES_LENGTH = 4_000;
const MAX_TEXT_LENGTH = 4_000;
const MAX_OPTIONS = 1_000;

export function importCamundaHtmlForm(text: string, options: HtmlFormImportOptions = {}): HtmlFormImportResult {
  assertFormFileSize(text, options.fileName);
  const report = new ReportBuilder();
  const fields = scan(stripBom(text), options, report);
  const builder = new ObjectSchemaBuilder();
  for (const field of fields) addField(builder, field, report);
  const form = finishForm(builder, formKey(options, undefined), formTitle(options, undefined, undefined));
  return { format: 'camunda-html', form, report: report.build(), fields };
}

interface Control {
  tag: 'input' | 'select' | 'textarea';
  attributes: Map<string, string>;
  /** Index of the `<label>` the control sits in. */
  wrappedBy?: number;
  /** Index of the closest `<label>` before it, when no other variable control is in between. */
  after?: number;
  options: HtmlFormOption[];
}

interface Label {
  for?: string;
  text: string;
}

/** One tag of interest: a control, a label, an option or a link, with its attributes. */
const TAG = new RegExp(
  `<(/?)(input|select|textarea|label|option|a)\\b((?:[^<>"']|"[^"]{0,${MAX_ATTRIBUTES_LENGTH}}"|'[^']{0,${MAX_ATTRIBUTES_LENGTH}}'){0,${MAX_ATTRIBUTES_LENGTH}})>`,
  'gi',
);
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const ANY_TAG = new RegExp(`<[^<>]{0,${MAX_ATTRIBUTES_LENGTH}}>`, 'g');

function scan(html: string, options: HtmlFormImportOptions, report: ReportBuilder): HtmlFormField[] {
  if (!html.includes('<'))
    throw new FormImportError(
      'NOT_A_FORM',
      `${fileLabel(options.fileName)} contains no HTML; a Camunda embedded form is an HTML fragment with cam-variable-name inputs.`,
    );
  const text = cutRawText(html, report);
  const controls: Control[] = [];
  const labels: Label[] = [];
  let openLabel: { start: number; for?: string; controls: Control[] } | undefined;
  let select: Control | undefined;
  let lastLabel: number | undefined;
  let controlsSinceLabel = 0;

  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
    const closing = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    const attributes = closing ? new Map<string, string>() : parseAttributes(m[3] ?? '');
    if (tag === 'label') {
      if (!closing) {
        openLabel = { start: TAG.lastIndex, for: attributes.get('for'), controls: [] };
      } else if (openLabel) {
        labels.push({ for: openLabel.for, text: plainText(text.slice(openLabel.start, m.index)) });
        lastLabel = labels.length - 1;
        controlsSinceLabel = 0;
        for (const c of openLabel.controls) c.wrappedBy = lastLabel;
        openLabel = undefined;
      }
    } else if (tag === 'option') {
      if (!closing && select) addOption(select, attributes, optionText(text, TAG.lastIndex));
    } else if (tag === 'a') {
      const file = attributes.get('cam-file-download');
      if (!closing && file !== undefined)
        report.unsupported(
          file || 'cam-file-download',
          'a download link for a file variable (cam-file-download)',
          'Trellis forms carry data, not files; link the document from the task description.',
        );
    } else if (tag === 'select' && closing) {
      select = undefined;
    } else if (!closing && (tag === 'input' || tag === 'select' || tag === 'textarea')) {
      const control: Control = { tag, attributes, options: [] };
      // Inside a label: which one is known when it closes.
      openLabel?.controls.push(control);
      if (attributes.has('cam-variable-name')) {
        if (lastLabel !== undefined && controlsSinceLabel === 0 && !openLabel) control.after = lastLabel;
        controlsSinceLabel++;
      }
      controls.push(control);
      if (controls.length > MAX_FORM_FIELDS)
        throw new FormImportError(
          'TOO_MANY_FIELDS',
          `${fileLabel(options.fileName)} has more than ${MAX_FORM_FIELDS} form controls; split it into several forms.`,
        );
      if (tag === 'select') select = control;
    }
  }
  return toFields(controls, labels, options, report);
}

/**
 * Cuts comments, `<script>` and `<style>` elements out (a script may contain "<input" in a
 * string). Linear: each kind's next position is searched once and reused until passed.
 */
function cutRawText(html: string, report: ReportBuilder): string {
  const lower = html.toLowerCase();
  const starts = { comment: '<!--', script: '<script', style: '<style' } as const;
  const next: Record<keyof typeof starts, number> = { comment: -2, script: -2, style: -2 };
  let out = '';
  let position = 0;
  for (;;) {
    let kind: keyof typeof starts | undefined;
    for (const k of Object.keys(starts) as (keyof typeof starts)[]) {
      if (next[k] !== -1 && next[k] < position) next[k] = findTag(lower, starts[k], position, k !== 'comment');
      if (next[k] !== -1 && (kind === undefined || next[k] < next[kind])) kind = k;
    }
    if (kind === undefined) return out + html.slice(position);
    const start = next[kind];
    out += `${html.slice(position, start)} `;
    if (kind === 'comment') {
      const end = lower.indexOf('-->', start + 4);
      position = end === -1 ? html.length : end + 3;
      continue;
    }
    const openEnd = lower.indexOf('>', start);
    const openTag = html.slice(start, openEnd === -1 ? html.length : Math.min(openEnd, start + MAX_ATTRIBUTES_LENGTH));
    const close = lower.indexOf(`</${kind}`, start);
    const closeEnd = close === -1 ? -1 : lower.indexOf('>', close);
    position = closeEnd === -1 ? html.length : closeEnd + 1;
    if (kind === 'script') {
      const camScript = /\scam-script\b/i.test(openTag);
      report.unsupported(
        camScript ? 'cam-script' : 'script',
        camScript ? 'a form script (cam-script: custom JavaScript run by Camunda Tasklist)' : 'a <script> element',
        'Scripts are never imported or run. Re-express what it checks as schema rules (required, pattern, minimum, ...) in the form designer.',
      );
    }
  }
}

/** `<script` followed by a space, `>` or `/`, from `from`; -1 when there is none. */
function findTag(lower: string, start: string, from: number, needsBoundary: boolean): number {
  let at = lower.indexOf(start, from);
  while (needsBoundary && at !== -1 && !/[\s>/]/.test(lower.charAt(at + start.length)))
    at = lower.indexOf(start, at + 1);
  return at;
}

function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(text); m !== null; m = ATTRIBUTE.exec(text)) {
    const name = m[1]!.toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attributes;
}

/** The text after `<option ...>` up to the next tag. */
function optionText(text: string, from: number): string {
  const end = text.indexOf('<', from);
  return plainText(
    text.slice(
      from,
      end === -1 ? Math.min(text.length, from + MAX_TEXT_LENGTH) : Math.min(end, from + MAX_TEXT_LENGTH),
    ),
  );
}

function addOption(select: Control, attributes: Map<string, string>, label: string): void {
  if (select.options.length >= MAX_OPTIONS) return;
  const value = attributes.get('value') ?? label;
  // An empty option is the "nothing chosen" entry, not a choice.
  if (value === '' || select.options.some((o) => o.value === value)) return;
  select.options.push({ value, label: label || value });
}

/** Tags dropped, entities decoded, whitespace collapsed: text to show as text. */
function plainText(html: string): string {
  return plainLabel(decodeEntities(html.slice(0, MAX_TEXT_LENGTH).replace(ANY_TAG, ' ')));
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity;
    }
    const name = body.toLowerCase();
    return Object.hasOwn(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name]! : entity;
  });
}

function toFields(
  controls: Control[],
  labels: Label[],
  options: HtmlFormImportOptions,
  report: ReportBuilder,
): HtmlFormField[] {
  const labelFor = new Map<string, string>();
  for (const label of labels)
    if (label.for && label.text && !labelFor.has(label.for)) labelFor.set(label.for, label.text);
  const fields: HtmlFormField[] = [];
  const byName = new Map<string, HtmlFormField>();
  for (const control of controls) {
    const a = control.attributes;
    if (a.has('cam-business-key'))
      report.unsupported(
        'cam-business-key',
        'an input for the business key (cam-business-key)',
        'Trellis sets the business key when the process starts; ask for it as an ordinary field and map it in the process.',
      );
    const name = a.get('cam-variable-name')?.trim();
    if (name === undefined) continue;
    if (name === '') {
      report.unsupported(
        `<${control.tag}>`,
        'a control with an empty cam-variable-name',
        'Name the variable the control stores its value in.',
      );
      continue;
    }
    const id = a.get('id');
    const wrapped = control.wrappedBy !== undefined ? labels[control.wrappedBy]?.text : undefined;
    const before = control.after !== undefined ? labels[control.after]?.text : undefined;
    const label = (id ? labelFor.get(id) : undefined) || wrapped || before || undefined;
    const inputType = control.tag === 'input' ? (a.get('type') ?? 'text').toLowerCase() : undefined;
    if (a.has('cam-choices'))
      report.unsupported(
        name,
        `options taken from the variable "${a.get('cam-choices')}" (cam-choices)`,
        'Trellis forms have fixed options: list them in the form designer.',
      );

    const existing = byName.get(name);
    if (existing) {
      if (inputType === 'radio' && existing.inputType === 'radio') {
        const value = a.get('value') ?? 'on';
        if (!existing.options?.some((o) => o.value === value))
          existing.options?.push({ value, label: wrapped || (id ? labelFor.get(id) : undefined) || value });
        existing.required ||= isOn(a, 'required');
      } else
        report.unsupported(
          name,
          `"${name}" has a second control`,
          'The first control is used; remove the other or give it its own variable.',
        );
      continue;
    }
    const declared = a.get('cam-variable-type')?.trim();
    const known = Object.hasOwn(options.variableTypes ?? {}, name) ? options.variableTypes?.[name] : undefined;
    const field: HtmlFormField = {
      name,
      type: declared || known || guessType(control.tag, inputType),
      typeSource: declared ? 'declared' : known ? 'known' : 'guessed',
      ...(label ? { label } : {}),
      required: isOn(a, 'required') || a.get('ng-required') === 'true',
      readOnly: isOn(a, 'readonly') || isOn(a, 'disabled'),
      control: control.tag,
      ...(inputType ? { inputType } : {}),
    };
    if (control.tag === 'select') field.options = control.options;
    if (inputType === 'radio')
      field.options = [{ value: a.get('value') ?? 'on', label: label ?? a.get('value') ?? 'on' }];
    byName.set(name, field);
    fields.push(field);
  }
  return fields;
}

/** A boolean attribute: present, and not `="false"`. */
function isOn(attributes: Map<string, string>, name: string): boolean {
  const value = attributes.get(name);
  return value !== undefined && value.toLowerCase() !== 'false';
}

/** Camunda reads an undeclared variable's type from the process; this guesses from the control. */
function guessType(tag: Control['tag'], inputType: string | undefined): string {
  if (inputType === 'checkbox') return 'Boolean';
  if (inputType === 'file') return 'File';
  if (inputType === 'number') return 'Double';
  if (tag === 'input' && (inputType === 'date' || inputType === 'datetime-local')) return 'Date';
  return 'String';
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  Short: [-32_768, 32_767],
  Integer: [-2_147_483_648, 2_147_483_647],
  Long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function addField(builder: ObjectSchemaBuilder, field: HtmlFormField, report: ReportBuilder): void {
  const type = field.type.charAt(0).toUpperCase() + field.type.slice(1);
  let schema: JsonSchema;
  let requirement: JsonSchema = {};
  let note: string | undefined;
  const ui: Record<string, unknown> = {};
  const range = Object.hasOwn(INTEGER_RANGES, type) ? INTEGER_RANGES[type] : undefined;
  if (type === 'String') {
    schema =
      field.options && field.options.length > 0
        ? { type: 'string', oneOf: field.options.map((o) => ({ const: o.value, title: o.label })) }
        : { type: 'string' };
    requirement = { minLength: 1 };
  } else if (type === 'Boolean') {
    // An unticked Camunda checkbox submits false.
    schema = field.inputType === 'checkbox' ? { type: 'boolean', default: false } : { type: 'boolean' };
  } else if (range) {
    schema = { type: 'integer', minimum: range[0], maximum: range[1] };
    if (type === 'Long') note = 'limited to the integers JSON numbers hold exactly';
  } else if (type === 'Double') {
    schema = { type: 'number' };
  } else if (type === 'Date') {
    schema = { type: 'string', format: 'date-time' };
    note = "Camunda's default form date format (yyyy-MM-dd'T'HH:mm:ss) has no time zone; Trellis expects one";
  } else if (type === 'File') {
    report.unsupported(
      field.name,
      'a file upload (cam-variable-type File)',
      'Trellis forms carry data, not files; collect the file outside the form and store a reference (a URL or document id) in a text field.',
    );
    return;
  } else {
    report.unsupported(
      field.name,
      `variable type "${field.type.slice(0, 50)}"`,
      'Only String, Boolean, Short, Integer, Long, Double and Date are translated; add the field by hand in the form designer.',
    );
    return;
  }
  if (field.control === 'textarea') ui['ui:widget'] = 'textarea';
  if (field.inputType === 'radio') ui['ui:widget'] = 'radio';
  if (field.inputType === 'hidden') ui['ui:widget'] = 'hidden';
  if (field.readOnly) ui['ui:readonly'] = true;
  const { type: jsonType, ...constraints } = schema;
  const full: JsonSchema = { type: jsonType, title: field.label ?? humanize(field.name), ...constraints };
  const problem = builder.add({ path: [field.name], schema: full, ui, required: field.required, requirement });
  if (problem) {
    report.unsupported(field.name, `${preview(field.name, 60)} not imported: ${problem}`, 'Rename the variable.');
    return;
  }
  const typeNote =
    field.typeSource === 'declared'
      ? field.type
      : field.typeSource === 'known'
        ? `${field.type}, as given`
        : `${field.type}, guessed: the form does not declare it`;
  report.translated(
    `${field.name}: <${field.control}> (${typeNote}) → ${describeField(full, field.required)}${field.readOnly ? ', read-only' : ''}${note ? `; ${note}` : ''}`,
  );
}
