/**
 * BPMN 2.0 XML → the canonical JSON definition, with a report of what was found, what was
 * translated (vendor attributes, JUEL) and what Trellis will not run (Java classes, scripts,
 * listeners, untranslatable expressions). Those are also recorded in the definition's
 * `importIssues`, which keep it a draft: it can be simulated, not published.
 *
 * One file may hold several processes (the pools of a collaboration): the executable one (or
 * `processId`) becomes the definition, the others are kept in `pools` for the picture.
 * Pure: XML text in, data out; nothing in the file is ever executed.
 */
import {
  processDefinitionSchema,
  type Artifact,
  type Diagram,
  type ImportIssue,
  type Lane,
  type LocalizedText,
  type ProcessDefinitionInput,
  type StartableBy,
} from '../model/definition';
import { toKey } from '../model/keys';
import { canonicalDefinition } from '../model/canonical';
import { children, Dialects, listOrExpression, literalOrExpression, text, toFeel } from './dialects';
import { inventory, readBpmn, type ModdleElement } from './read';
import type { XmlLimits } from './safe-xml';

export interface ImportReport {
  /** Counts by BPMN type as found in the file (the corpus tool's names). */
  elements: Record<string, number>;
  translated: { elementId: string; what: string }[];
  unsupported: ImportIssue[];
}

export interface BpmnImport {
  /** Canonical: defaults left out, sorted (see model/canonical.ts). */
  definition: ProcessDefinitionInput;
  report: ImportReport;
  /** Every process in the file; `processId` picks another one as the definition. */
  processes: { id: string; name?: string; executable: boolean }[];
  /** The parser's own warnings (unknown attributes, unresolved references). */
  warnings: string[];
}

export interface ImportOptions {
  /** Which process of the file becomes the definition (default: the executable one). */
  processId?: string;
  /** The definition's key (default: derived from the process id). */
  key?: string;
  limits?: XmlLimits;
}

export class BpmnImportError extends Error {
  override readonly name = 'BpmnImportError';
  readonly code = 'BPMN_IMPORT';
}

type Json = Record<string, unknown>;
/** A comma-separated trellis attribute as a list: "accounting, sales" → ["accounting", "sales"]. */
function textList(element: ModdleElement, attr: string): string[] {
  return text(element, attr)?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
}

/**
 * trellis:sendableBy="accounting, sales" (departments) and trellis:sendableByRoles="designer" (roles)
 * on a message or signal event definition or a receive task: who may send what it waits for. An
 * unknown role is refused by the schema, naming the field (…sendableBy.roles).
 */
function sendableBy(element: ModdleElement): { sendableBy?: Json } {
  const [groups, roles] = [textList(element, 'sendableBy'), textList(element, 'sendableByRoles')];
  if (groups.length === 0 && roles.length === 0) return {};
  return { sendableBy: { ...(groups.length > 0 ? { groups } : {}), ...(roles.length > 0 ? { roles } : {}) } };
}

const ID = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export async function importBpmn(xml: string, options: ImportOptions = {}): Promise<BpmnImport> {
  const { definitions, warnings } = await readBpmn(xml, options.limits);
  const importer = new Importer(definitions);
  const result = importer.run(options);
  return { ...result, warnings };
}

/** The diagrams (DI) of a BPMN file, as the definition keeps them. */
export async function diagramsOf(xml: string): Promise<Diagram[]> {
  const { definitions } = await readBpmn(xml);
  return new Importer(definitions).readDiagrams();
}

class Importer {
  private readonly dialects: Dialects;
  private readonly translated: ImportReport['translated'] = [];
  private readonly unsupported: ImportIssue[] = [];
  /** Issues in the main process: they keep the definition a draft. */
  private readonly issues: ImportIssue[] = [];
  private recording = true;
  private readonly renamed = new Map<string, string>();
  private readonly usedIds = new Set<string>();
  private generated = 0;

  constructor(private readonly definitions: ModdleElement) {
    this.dialects = new Dialects(definitions);
  }

  run(options: ImportOptions): Omit<BpmnImport, 'warnings'> {
    const roots = list(this.definitions.rootElements);
    const processes = roots.filter((r) => r.$type === 'bpmn:Process');
    const collaboration = roots.find((r) => r.$type === 'bpmn:Collaboration');
    const participants = list(collaboration?.participants);
    for (const r of roots) {
      if (!['bpmn:Process', 'bpmn:Collaboration', 'bpmn:Message', 'bpmn:Signal', 'bpmn:Error', 'bpmn:Escalation', 'bpmn:DataStore', 'bpmn:ItemDefinition', 'bpmn:Category', 'bpmn:Interface', 'bpmn:Resource', 'bpmn:EndPoint', 'bpmn:CorrelationProperty'].includes(r.$type)) {
        this.unsupport(r.id ?? r.$type, `${r.$type.slice(5)} "${r.id ?? ''}" is not imported`, 'Trellis imports processes, collaborations and their events; model this part inside a process.', false);
      }
    }
    if (processes.length === 0) throw new BpmnImportError('The file has no process: a BPMN file for Trellis needs at least one <process>.');

    const main = this.pickMain(processes, participants, options.processId);
    const elementsOf = (p: ModdleElement) => list(p.flowElements).length;
    const definition: Json = {};

    // The main process first, recording issues; the other pools for the picture only.
    const mainScope = this.scope(main);
    this.recording = false;
    const pools = processes.filter((p) => p !== main).map((p) => ({ id: this.id(p), ...optional('name', this.name(p)), ...optional('documentation', docs(p)), ...this.scope(p), ...optional('lanes', this.lanes(p)) }));
    this.recording = true;

    const participant = participants.find((p) => (p.processRef as ModdleElement | undefined) === main);
    const processName = this.name(main) ?? this.name(participant) ?? main.id ?? 'Imported process';
    const trellisKey = text(main, 'key');
    const key = options.key ?? trellisKey ?? toKey(main.id ?? 'process');
    definition.formatVersion = 1;
    definition.key = key;
    definition.version = typeof main.version === 'number' && main.version >= 1 ? main.version : 1;
    definition.name = processName;
    const description = this.name(main, 'description') ?? docs(main);
    if (description) definition.description = description;
    for (const ext of this.dialects.extensions(main, ['trellis']).filter((x) => /^importIssue$/i.test(x.local))) {
      this.unsupport(text(ext.element, 'elementId') ?? processIdOf(main), text(ext.element, 'what') ?? 'unsupported', text(ext.element, 'hint') ?? '');
    }
    for (const k of ['category', 'startForm', 'businessKey'] as const) {
      const v = text(main, k);
      if (v) definition[k] = v;
    }
    // trellis:startableBy="accounting, sales" (departments), trellis:startableByRoles="designer" (roles)
    const [startGroups, startRoles] = [textList(main, 'startableBy'), textList(main, 'startableByRoles')];
    if (startGroups.length > 0 || startRoles.length > 0) {
      // An unknown role is refused by the schema below, naming startableBy.roles.
      definition.startableBy = { ...(startGroups.length > 0 ? { groups: startGroups } : {}), ...(startRoles.length > 0 ? { roles: startRoles as StartableBy['roles'] } : {}) };
    }
    const processId = this.id(main);
    if (processId !== key) definition.processId = processId;
    if (!definition.startForm) {
      const start = list(main.flowElements).find((e) => e.$type === 'bpmn:StartEvent' && list(e.eventDefinitions).length === 0);
      const form = start ? this.formKey(start) : undefined;
      if (form) definition.startForm = form;
    }
    Object.assign(definition, mainScope);
    const lanes = this.lanes(main);
    if (lanes) definition.lanes = lanes;
    if (collaboration) definition.collaboration = this.collaboration(collaboration);
    if (pools.length > 0) definition.pools = pools;
    const diagrams = keptOnly(this.readDiagrams(), idsIn(definition));
    if (diagrams.length > 0) definition.diagrams = diagrams;
    if (this.issues.length > 0) definition.importIssues = this.issues;
    if (list(main.flowElements).length === 0 && elementsOf(main) === 0) {
      throw new BpmnImportError(`Process "${main.id}" has no elements; a definition needs at least a start event.`);
    }

    const parsed = processDefinitionSchema.safeParse(definition);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BpmnImportError(`The imported process does not fit the definition format at ${issue.path.join('.')}: ${issue.message}.`);
    }
    return {
      definition: canonicalDefinition(parsed.data),
      report: { elements: inventory(this.definitions), translated: this.translated, unsupported: this.unsupported },
      processes: processes.map((p) => ({ id: this.id(p), ...optional('name', typeof p.name === 'string' ? p.name : undefined), executable: p.isExecutable === true })),
    };
  }

  private pickMain(processes: ModdleElement[], participants: ModdleElement[], wanted: string | undefined): ModdleElement {
    if (wanted) {
      const found = processes.find((p) => p.id === wanted || this.id(p) === wanted);
      if (!found) throw new BpmnImportError(`The file has no process "${wanted}"; it has ${processes.map((p) => `"${p.id}"`).join(', ')}.`);
      return found;
    }
    const pooled = participants.map((p) => p.processRef as ModdleElement | undefined).filter((p): p is ModdleElement => !!p);
    return (
      pooled.find((p) => p.isExecutable === true) ??
      processes.find((p) => p.isExecutable === true) ??
      pooled.find((p) => list(p.flowElements).length > 0) ??
      processes.find((p) => list(p.flowElements).length > 0) ??
      processes[0]!
    );
  }

  // ---- ids, names, report -------------------------------------------------------------------

  /** The element's id, made a valid Trellis id when it is not one (and reported once). */
  id(element: ModdleElement | undefined): string {
    if (!element) return this.fresh('missing');
    const original = element.id;
    if (typeof original !== 'string' || original === '') {
      const generatedId = this.fresh(element.$type.slice(element.$type.indexOf(':') + 1));
      element.id = generatedId;
      return generatedId;
    }
    if (ID.test(original)) return original;
    const known = this.renamed.get(original);
    if (known) return known;
    let id = original.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
    if (!/^[A-Za-z_]/.test(id)) id = `_${id}`.slice(0, 100);
    while (this.usedIds.has(id)) id = `${id.slice(0, 95)}_${++this.generated}`;
    this.usedIds.add(id);
    this.renamed.set(original, id);
    this.translated.push({ elementId: id, what: `id "${original}" renamed "${id}" (ids hold letters, digits, "_" and "-")` });
    return id;
  }

  private fresh(kind: string): string {
    let id: string;
    do id = `${kind}_${++this.generated}`;
    while (this.usedIds.has(id));
    this.usedIds.add(id);
    return id;
  }

  /** A reference's id (the element may be a moddle object or, when unresolved, a string). */
  private ref(target: unknown): string | undefined {
    if (!target) return undefined;
    if (typeof target === 'string') return ID.test(target) ? target : (this.renamed.get(target) ?? this.id({ $type: 'bpmn:Ref', id: target }));
    return this.id(target as ModdleElement);
  }

  private name(element: ModdleElement | undefined, of = 'name'): LocalizedText | undefined {
    if (!element) return undefined;
    const translations = this.dialects
      .extensions(element, ['trellis'])
      .filter((e) => e.local === 'Translation' || e.local === 'translation')
      .map((e) => e.element)
      .filter((t) => (text(t, 'of') ?? 'name') === of && typeof t.lang === 'string' && typeof t.text === 'string' && t.text !== '');
    if (translations.length > 0) return Object.fromEntries(translations.map((t) => [t.lang as string, clip(t.text as string, 500)]));
    const raw = of === 'name' ? element.name : undefined;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    if (raw.length > 500) this.note(this.id(element), `name shortened to 500 characters`);
    return clip(raw, 500);
  }

  private note(elementId: string, what: string) {
    this.translated.push({ elementId, what });
  }

  /** Something not translated. `blocking`: it was meant to run, so the main process stays a draft. */
  private unsupport(elementId: string, what: string, hint: string, blocking = true) {
    const issue = { elementId, what: clip(what, 2_000), hint: clip(hint, 2_000) };
    const same = (i: ImportIssue) => i.elementId === issue.elementId && i.what === issue.what;
    // A re-imported export carries its issues along and may find the same ones again: once each.
    if (!this.unsupported.some(same)) this.unsupported.push(issue);
    if (blocking && this.recording && !this.issues.some(same)) this.issues.push(issue);
  }

  // ---- scopes -------------------------------------------------------------------------------

  private scope(container: ModdleElement): { elements: Json[]; flows: Json[]; artifacts?: Artifact[] } {
    const elements: Json[] = [];
    const flows: Json[] = [];
    const inclusive = new Set(list(container.flowElements).filter((e) => e.$type === 'bpmn:InclusiveGateway').map((g) => g));
    const artifacts: Artifact[] = [];
    for (const e of list(container.flowElements)) {
      if (e.$type === 'bpmn:SequenceFlow') {
        const flow = this.flow(e);
        // BPMN: a flow leaving an inclusive gateway without a condition is always taken.
        const source = e.sourceRef as ModdleElement | undefined;
        if (source && inclusive.has(source) && flow.condition === undefined && source.default !== e && !e.conditionExpression) {
          flow.condition = 'true';
          this.note(flow.id as string, 'a flow leaving an inclusive gateway without a condition is always taken: condition "true"');
        }
        flows.push(flow);
        continue;
      }
      const artifact = this.dataArtifact(e);
      if (artifact) {
        artifacts.push(artifact);
        continue;
      }
      const element = this.element(e);
      if (element) elements.push(element);
      artifacts.push(...this.dataAssociations(e));
    }
    for (const a of list(container.artifacts)) {
      const artifact = this.artifact(a);
      if (artifact) artifacts.push(artifact);
    }
    return { elements, flows, ...(artifacts.length > 0 ? { artifacts } : {}) };
  }

  private flow(f: ModdleElement): Json {
    const out: Json = { id: this.id(f), source: this.ref(f.sourceRef) ?? '', target: this.ref(f.targetRef) ?? '' };
    const name = this.name(f);
    if (name) out.name = name;
    const documentation = docs(f);
    if (documentation) out.documentation = documentation;
    const condition = f.conditionExpression as ModdleElement | undefined;
    if (condition) {
      const feel = this.expression(out.id as string, 'condition', text(condition, 'body') ?? '', text(condition, 'language') ?? this.expressionLanguage());
      if (feel !== undefined) out.condition = feel;
    }
    return out;
  }

  private expressionLanguage(): string | undefined {
    return text(this.definitions, 'expressionLanguage');
  }

  /**
   * A vendor expression as FEEL, noting the translation; when it cannot be translated the
   * element keeps no expression and the import records an issue (it is never run as it was).
   */
  private expression(elementId: string, what: string, raw: string, language?: string): string | undefined {
    if (raw.trim() === '') return undefined;
    const t = toFeel(raw, language && !/XPath/i.test(language) ? language : undefined, { dueDate: what === 'due date' });
    if (t.ok) {
      if (t.note) this.note(elementId, `${what}: ${t.note}`);
      return t.feel;
    }
    this.unsupport(elementId, `The ${what} "${clip(raw, 200)}" was not translated: ${t.reason}.`, `Write the ${what} in FEEL.`);
    return undefined;
  }

  private element(e: ModdleElement): Json | null {
    const translate = ELEMENTS[e.$type];
    if (!translate) {
      this.unsupport(this.id(e), `${e.$type.slice(5)} "${e.id}" is not supported`, 'Replace it with an element Trellis runs (see engine/model/README.md).');
      return null;
    }
    const out: Json = { id: this.id(e), type: '' };
    const name = this.name(e);
    if (name) out.name = name;
    const documentation = docs(e);
    if (documentation) out.documentation = documentation;
    translate.call(this, e, out);
    this.listeners(e, out.id as string);
    if (out.type !== 'serviceTask' && out.type !== 'scriptTask') {
      for (const p of children(this.dialects.extension(e, 'inputOutput', ['camunda']) ?? { $type: 'x' })) {
        this.unsupport(out.id as string, `The ${p.local} "${text(p.element, 'name') ?? ''}" maps variables on a ${out.type as string}`, 'Trellis maps variables only on service and script tasks (set) and call activities (inputs, outputs): move the mapping there.');
      }
    }
    return out;
  }

  /** Execution and task listeners run vendor code: never run here, always reported. */
  private listeners(e: ModdleElement, id: string) {
    for (const ext of this.dialects.extensions(e)) {
      if (ext.dialect === 'trellis') continue;
      if (/^(executionListener|taskListener)$/.test(ext.local) || (ext.dialect === 'zeebe' && /Listeners$/.test(ext.local))) {
        const script = children(ext.element).find((c) => c.local === 'script')?.element;
        const attr = (name: string) => text(ext.element, name) || undefined;
        const how = attr('class') ?? attr('delegateExpression') ?? attr('expression') ?? (script ? `a ${text(script, 'scriptFormat') ?? ''} script` : attr('type') ?? 'code it names nowhere');
        this.unsupport(id, `A ${ext.dialect} ${ext.local} (on "${text(ext.element, 'event') ?? 'event'}") runs ${clip(how, 200)}.`, 'Listeners are not run; model what it does as a step (a service task with a connector, or FEEL in a script task).');
      }
    }
    for (const a of this.dialects.vendorAttrs(e)) {
      if (/^(async|asyncBefore|asyncAfter|exclusive|jobPriority|failedJobRetryTimeCycle|historyTimeToLive|versionTag)$/.test(a.local)) this.note(id, `${a.dialect}:${a.local} ignored (Trellis commits before every job; retries are set per service task)`);
    }
  }

  // ---- elements -----------------------------------------------------------------------------

  formKey(e: ModdleElement): string | undefined {
    const trellis = text(e, 'formKey');
    if (trellis) return trellis;
    const zeebe = this.dialects.extension(e, 'formDefinition', ['zeebe']);
    const raw = this.dialects.attr(e, 'formKey')?.value ?? text(zeebe, 'formId') ?? text(zeebe, 'formKey') ?? text(zeebe, 'externalReference');
    if (!raw) return undefined;
    // embedded:app:forms/approve-invoice.html, camunda-forms:deployment:forms/x.form, app:x.html, x
    const last = raw.split(/[:/]/).filter(Boolean).pop() ?? raw;
    const key = toKey(last.replace(/\.(html?|form|json)$/i, ''));
    if (key !== raw) this.note(this.id(e), `form "${raw}" → form key "${key}"`);
    return key;
  }

  userTask(e: ModdleElement, out: Json) {
    out.type = 'userTask';
    const id = out.id as string;
    const formKey = this.formKey(e);
    if (formKey) out.formKey = formKey;
    const zeebe = this.dialects.extension(e, 'assignmentDefinition', ['zeebe']);
    const read = (local: string) => text(e, local) ?? this.dialects.attr(e, local)?.value ?? text(zeebe, local);
    const groups = read('candidateGroups');
    if (groups) {
      const r = listOrExpression(groups, (g) => toKey(g));
      if ('list' in r) out.candidateGroups = r.list;
      else if ('expression' in r) out.candidateGroups = r.expression;
      else this.unsupport(id, `Candidate groups "${groups}" were not translated: ${r.error}.`, 'Choose the departments that work this task.');
      if ('list' in r && r.list.join(', ') !== groups) this.note(id, `candidate groups "${groups}" → ${JSON.stringify(r.list)}`);
      if ('expression' in r && r.expression !== groups) this.note(id, `candidate groups "${groups}" → "${r.expression}"`);
    }
    const users = read('candidateUsers');
    if (users) {
      const r = listOrExpression(users, (u) => u);
      if ('list' in r) out.candidateUsers = r.list;
      else if ('expression' in r) out.candidateUsers = r.expression;
      else this.unsupport(id, `Candidate users "${users}" were not translated: ${r.error}.`, 'Name the people, or use candidate groups.');
    }
    const assignee = read('assignee');
    if (assignee) {
      const r = literalOrExpression(assignee);
      if ('value' in r) out.assignee = r.value;
      else this.unsupport(id, `Assignee "${assignee}" was not translated: ${r.error}.`, 'Name the person, or use candidate groups.');
    }
    const role = text(e, 'candidateRole');
    if (role === 'manager' || role === 'member') out.candidateRole = role;
    // The four-eyes rule (trellis:notInitiator, trellis:notCompletedBy); validation checks the ids.
    const notInitiator = (e as Record<string, unknown>).notInitiator;
    const notCompletedBy = textList(e, 'notCompletedBy');
    if (typeof notInitiator === 'boolean' || notCompletedBy.length > 0) {
      out.separationOfDuties = { ...(typeof notInitiator === 'boolean' ? { notInitiator } : {}), ...(notCompletedBy.length > 0 ? { notCompletedBy } : {}) };
    }
    const schedule = this.dialects.extension(e, 'taskSchedule', ['zeebe']);
    const due = text(e, 'dueDate') ?? this.dialects.attr(e, 'dueDate')?.value ?? text(schedule, 'dueDate');
    if (due) {
      const isExpression = due.startsWith('=') || /^[$#]\{/.test(due) || text(e, 'dueDate') !== undefined;
      const feel = isExpression ? this.expression(id, 'due date', due) : JSON.stringify(due);
      if (feel !== undefined) out.dueDate = feel;
    }
    const priority = text(e, 'priority') ?? this.dialects.attr(e, 'priority')?.value ?? text(this.dialects.extension(e, 'priorityDefinition', ['zeebe']), 'priority');
    if (priority) {
      if (/^\d{1,3}$/.test(priority.trim())) out.priority = Math.min(100, Number(priority));
      else {
        const feel = this.expression(id, 'priority', priority);
        if (feel !== undefined) out.priority = `=${feel}`;
      }
    }
    for (const ext of this.dialects.extensions(e, ['camunda', 'flowable', 'activiti'])) {
      if (ext.local === 'formData' || ext.local === 'formProperty') this.unsupport(id, `${ext.dialect}:${ext.local} defines the task form inline`, 'Convert it into a Trellis form and set the form key.', false);
    }
    const embedded = this.dialects.extension(e, 'userTaskForm', ['zeebe']);
    if (embedded) this.unsupport(id, 'An embedded Camunda form (zeebe:userTaskForm)', 'Save the form JSON as a .form file and convert it with `trellis convert FILE.form`.', false);
    this.multiInstance(e, out);
  }

  serviceTask(e: ModdleElement, out: Json) {
    out.type = 'serviceTask';
    this.jobTask(e, out);
    this.multiInstance(e, out);
  }

  /** What runs a service (or send, or business rule) task: a Trellis job type, or vendor code reported. */
  private jobTask(e: ModdleElement, out: Json) {
    const id = out.id as string;
    const set: Record<string, string> = {};
    const inputs: Record<string, string> = {};
    const settings: Record<string, string> = {};
    const taskType = text(e, 'taskType');
    if (taskType) out.taskType = taskType;
    if (typeof e.retries === 'number') out.retries = e.retries;
    const zeebeTask = this.dialects.extension(e, 'taskDefinition', ['zeebe']);
    const engineType = this.dialects.attr(e, 'type')?.value;
    const topic = this.dialects.attr(e, 'topic')?.value;
    if (zeebeTask) {
      const type = text(zeebeTask, 'type') ?? '';
      out.taskType = jobType(type.replace(/^=/, ''));
      if (type.startsWith('=')) this.unsupport(id, `The job type is an expression (${type})`, 'Give the job type as text.');
      const retries = Number(text(zeebeTask, 'retries'));
      if (Number.isInteger(retries) && retries >= 0 && retries <= 100) out.retries = retries;
      this.note(id, `zeebe job type "${type}" → task type "${out.taskType as string}"`);
    } else if (engineType === 'external' && topic) {
      out.taskType = jobType(topic);
      this.note(id, `external task topic "${topic}" → task type "${out.taskType as string}"`);
    } else {
      const code = this.dialects.attr(e, 'class') ?? this.dialects.attr(e, 'delegateExpression') ?? this.dialects.attr(e, 'expression');
      if (code) {
        const local = code.value.replace(/^[$#]\{|\}$/g, '').split(/[.(]/).filter(Boolean).pop() ?? id;
        if (!out.taskType) out.taskType = jobType(local);
        const kind = this.dialects.attr(e, 'class') ? 'Java class' : this.dialects.attr(e, 'delegateExpression') ? 'delegate expression' : 'expression';
        this.unsupport(id, `The ${kind} "${clip(code.value, 200)}" implements this task.`, `Trellis never runs Java or EL code: connect a connector or worker to task type "${out.taskType as string}", or compute the result with FEEL.`);
        const resultVariable = this.dialects.attr(e, 'resultVariable')?.value;
        if (resultVariable) this.note(id, `result variable "${resultVariable}" is the worker's to set`);
      } else if (engineType && engineType !== 'external') {
        out.taskType = jobType(engineType);
        this.unsupport(id, `The built-in ${engineType} task of the source engine`, `Configure a Trellis connector for task type "${out.taskType as string}".`);
      }
    }
    for (const connector of this.dialects.extensions(e, ['camunda']).filter((x) => x.local === 'connector')) {
      const connectorId = children(connector.element).find((c) => c.local === 'connectorId')?.element.$body;
      if (!out.taskType) out.taskType = jobType(String(connectorId ?? 'connector'));
      this.unsupport(id, `The Camunda connector "${String(connectorId ?? '')}"`, `Configure a Trellis connector for task type "${out.taskType as string}".`);
    }
    // Mappings: Trellis's own, Camunda 8 io mappings and headers, Camunda 7 input/output parameters.
    for (const m of this.dialects.extensions(e, ['trellis']).filter((x) => x.local === 'Mapping' || x.local === 'mapping').map((x) => x.element)) {
      const target = text(m, 'target');
      const source = text(m, 'source');
      if (!target || source === undefined) continue;
      if (m.kind === 'input') inputs[target] = source;
      else if (m.kind === 'set') set[target] = source;
    }
    for (const s of this.dialects.extensions(e, ['trellis']).filter((x) => /^setting$/i.test(x.local)).map((x) => x.element)) {
      if (typeof s.name === 'string') settings[s.name] = text(s, 'value') ?? '';
    }
    const io = this.dialects.extension(e, 'ioMapping', ['zeebe']);
    for (const c of children(io ?? { $type: 'x' })) {
      const target = text(c.element, 'target');
      const source = text(c.element, 'source');
      if (!target || source === undefined) continue;
      const feel = this.expression(id, `${c.local} mapping of "${target}"`, source.startsWith('=') ? source : JSON.stringify(source), undefined);
      if (feel === undefined || !VARIABLE.test(target)) continue;
      if (c.local === 'input') inputs[target] = feel;
      else if (c.local === 'output') set[target] = feel;
    }
    const headers = this.dialects.extension(e, 'taskHeaders', ['zeebe']);
    for (const h of children(headers ?? { $type: 'x' })) {
      const key = text(h.element, 'key');
      if (key && /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(key)) settings[key] = text(h.element, 'value') ?? '';
    }
    const inputOutput = this.dialects.extension(e, 'inputOutput', ['camunda']);
    for (const p of children(inputOutput ?? { $type: 'x' })) {
      const name = text(p.element, 'name');
      if (!name) continue;
      const body = typeof p.element.$body === 'string' ? p.element.$body : undefined;
      if (body === undefined || (p.element.$children as unknown[] | undefined)?.length) {
        this.unsupport(id, `The ${p.local} "${name}" is a script, list or map`, 'Write the mapping as a FEEL expression.');
        continue;
      }
      const feel = this.expression(id, `${p.local} "${name}"`, /^[$#]\{/.test(body.trim()) ? body : JSON.stringify(body));
      if (feel === undefined || !VARIABLE.test(name)) continue;
      if (p.local === 'inputParameter') inputs[name] = feel;
      else set[name] = feel;
    }
    if (Object.keys(inputs).length > 0) out.inputs = inputs;
    if (Object.keys(settings).length > 0) out.settings = settings;
    if (Object.keys(set).length > 0 || out.type === 'scriptTask') out.set = set;
  }

  scriptTask(e: ModdleElement, out: Json) {
    out.type = 'scriptTask';
    const id = out.id as string;
    this.jobTask(e, out);
    delete out.taskType;
    delete out.inputs;
    delete out.settings;
    delete out.retries;
    const set = (out.set ?? {}) as Record<string, string>;
    const zeebe = this.dialects.extension(e, 'script', ['zeebe']);
    const format = typeof e.scriptFormat === 'string' ? e.scriptFormat : undefined;
    const resultVariable = text(zeebe, 'resultVariable') ?? this.dialects.attr(e, 'resultVariable')?.value;
    const body = text(zeebe, 'expression') ?? (typeof e.script === 'string' ? e.script : undefined);
    if (body !== undefined && body.trim() !== '') {
      const isFeel = zeebe !== undefined || (format !== undefined && /feel/i.test(format));
      if (isFeel && resultVariable && VARIABLE.test(resultVariable)) {
        const feel = this.expression(id, 'script', body, 'feel');
        if (feel !== undefined) set[resultVariable] = feel;
      } else {
        this.unsupport(id, `A ${format ?? 'script'} script (${clip(body.trim().split('\n')[0] ?? '', 80)}…)`, 'Trellis runs no scripts: set the variables with FEEL assignments in this script task.');
      }
    } else if (this.dialects.attr(e, 'resource')) {
      this.unsupport(id, `A script read from "${this.dialects.attr(e, 'resource')!.value}"`, 'Trellis runs no scripts: set the variables with FEEL assignments in this script task.');
    }
    out.set = set;
    this.multiInstance(e, out);
  }

  businessRuleTask(e: ModdleElement, out: Json) {
    out.type = 'businessRuleTask';
    const id = out.id as string;
    const zeebe = this.dialects.extension(e, 'calledDecision', ['zeebe']);
    const decisionRef = text(e, 'decisionRef') ?? this.dialects.attr(e, 'decisionRef')?.value ?? text(zeebe, 'decisionId');
    const resultVariable = text(e, 'resultVariable') ?? this.dialects.attr(e, 'resultVariable')?.value ?? text(zeebe, 'resultVariable');
    const map = text(e, 'mapDecisionResult') ?? this.dialects.attr(e, 'mapDecisionResult')?.value;
    if (decisionRef && !/^[$#]\{|^=/.test(decisionRef)) out.decisionRef = decisionRef;
    else {
      out.decisionRef = id;
      this.unsupport(id, decisionRef ? `The decision is chosen by an expression (${decisionRef})` : 'No decision table is named', 'Name the decision table (decisionRef) this task evaluates.');
    }
    out.resultVariable = resultVariable && VARIABLE.test(resultVariable) ? resultVariable : 'result';
    if (!resultVariable) this.note(id, 'no result variable: the result is stored in "result"');
    if (map === 'singleEntry' || map === 'singleResult' || map === 'collectEntries' || map === 'resultList') out.mapDecisionResult = map;
    else if (zeebe) {
      out.mapDecisionResult = 'singleEntry';
      this.note(id, 'Camunda 8 decision result → mapDecisionResult "singleEntry" (check it for tables with several outputs or a collect hit policy)');
    }
    this.multiInstance(e, out);
  }

  callActivity(e: ModdleElement, out: Json) {
    out.type = 'callActivity';
    const id = out.id as string;
    const zeebe = this.dialects.extension(e, 'calledElement', ['zeebe']);
    const called = (typeof e.calledElement === 'string' ? e.calledElement : undefined) ?? text(zeebe, 'processId');
    if (called && !/^[$#]\{|^=/.test(called)) {
      out.calledElement = toKey(called);
      if (out.calledElement !== called) this.note(id, `called process "${called}" → key "${out.calledElement as string}"`);
    } else {
      out.calledElement = toKey(id);
      this.unsupport(id, called ? `The called process is chosen by an expression (${called})` : 'No called process is named', 'Name the process this call activity starts.');
    }
    const inputs: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    let allIn = false;
    let allOut = zeebe ? text(zeebe, 'propagateAllChildVariables') !== 'false' : false;
    let explicitOut = false;
    for (const m of this.dialects.extensions(e, ['trellis']).filter((x) => /^mapping$/i.test(x.local)).map((x) => x.element)) {
      const target = text(m, 'target');
      const source = text(m, 'source');
      if (!target || source === undefined) continue;
      if (m.kind === 'input') inputs[target] = source;
      if (m.kind === 'output') outputs[target] = source;
    }
    for (const ext of this.dialects.extensions(e, ['camunda', 'flowable', 'activiti'])) {
      if (ext.local !== 'in' && ext.local !== 'out') continue;
      const m = ext.element;
      if (text(m, 'variables') === 'all') {
        if (ext.local === 'in') allIn = true;
        else allOut = true;
        continue;
      }
      if (text(m, 'businessKey')) {
        this.note(id, 'business key passed to the child instance is not mapped');
        continue;
      }
      const target = text(m, 'target');
      const source = text(m, 'source') ?? text(m, 'sourceExpression');
      if (!target || !source || !VARIABLE.test(target)) continue;
      const feel = text(m, 'sourceExpression') ? this.expression(id, `${ext.local} mapping of "${target}"`, source) : VARIABLE.test(source) ? source : this.expression(id, `${ext.local} mapping of "${target}"`, source);
      if (feel === undefined) continue;
      if (ext.local === 'in') inputs[target] = feel;
      else {
        outputs[target] = feel;
        explicitOut = true;
      }
    }
    const io = this.dialects.extension(e, 'ioMapping', ['zeebe']);
    for (const c of children(io ?? { $type: 'x' })) {
      const target = text(c.element, 'target');
      const source = text(c.element, 'source');
      if (!target || source === undefined || !VARIABLE.test(target)) continue;
      const feel = this.expression(id, `${c.local} mapping of "${target}"`, source.startsWith('=') ? source : JSON.stringify(source));
      if (feel === undefined) continue;
      if (c.local === 'input') inputs[target] = feel;
      else {
        outputs[target] = feel;
        explicitOut = true;
      }
    }
    if (text(e, 'inputs') === 'none') out.inputs = {};
    if (text(e, 'outputs') === 'none') out.outputs = {};
    if (Object.keys(inputs).length > 0 && !allIn) out.inputs = inputs;
    if (allIn && Object.keys(inputs).length > 0) this.note(id, 'all variables are passed to the child (variables="all"); the other input mappings add nothing');
    if (explicitOut || (Object.keys(outputs).length > 0 && !allOut)) out.outputs = outputs;
    // Camunda 7 passes nothing without mappings; Trellis passes everything when none are given.
    if (!zeebe && !allIn && Object.keys(inputs).length === 0 && this.dialects.extensions(e, ['camunda', 'flowable', 'activiti']).length > 0) out.inputs = {};
    if (!zeebe && !allOut && !explicitOut && Object.keys(outputs).length === 0 && this.dialects.extensions(e, ['camunda', 'flowable', 'activiti']).length > 0) out.outputs = {};
    this.multiInstance(e, out);
  }

  sendTask(e: ModdleElement, out: Json) {
    out.type = 'sendTask';
    const id = out.id as string;
    const message = e.messageRef as ModdleElement | undefined;
    const name = this.messageName(message) ?? (typeof e.name === 'string' && e.name.trim() ? clip(e.name.trim(), 200) : id);
    if (!message) this.note(id, `no message is referenced: the message is named "${name}"`);
    const payload: Record<string, string> = {};
    for (const m of this.dialects.extensions(e, ['trellis']).filter((x) => /^mapping$/i.test(x.local)).map((x) => x.element)) {
      if (m.kind === 'payload' && typeof m.target === 'string' && typeof m.source === 'string') payload[m.target] = m.source;
    }
    out.message = { name, ...(Object.keys(payload).length > 0 ? { payload } : {}) };
    const code = this.dialects.attr(e, 'class') ?? this.dialects.attr(e, 'delegateExpression') ?? this.dialects.attr(e, 'expression') ?? this.dialects.extension(e, 'taskDefinition', ['zeebe']);
    if (code) this.unsupport(id, 'Vendor code (a class, expression or job) sends this message', 'Trellis sends the message itself; connect a connector to its name if it must leave the company.');
    this.multiInstance(e, out);
  }

  receiveTask(e: ModdleElement, out: Json) {
    out.type = 'receiveTask';
    const message = e.messageRef as ModdleElement | undefined;
    out.message = { name: this.messageName(message) ?? (out.id as string), ...this.correlation(e, message), ...sendableBy(e) };
    if (!message) this.note(out.id as string, `no message is referenced: the message is named "${out.id as string}"`);
    this.multiInstance(e, out);
  }

  private messageName(message: ModdleElement | undefined): string | undefined {
    if (!message) return undefined;
    const name = typeof message.name === 'string' && message.name.trim() ? message.name.trim() : message.id;
    if (typeof name !== 'string') return undefined;
    if (name.startsWith('=') || /^[$#]\{/.test(name)) this.unsupport(message.id ?? 'message', `The message name is an expression (${name})`, 'Give the message a fixed name.');
    return clip(name, 200);
  }

  private correlation(e: ModdleElement, message: ModdleElement | undefined): { correlationKey?: string } {
    const own = text(e, 'correlationKey');
    if (own) return { correlationKey: own };
    const subscription = message ? this.dialects.extension(message, 'subscription', ['zeebe']) : undefined;
    const key = text(subscription, 'correlationKey');
    if (!key) return {};
    const feel = this.expression(e.id ?? 'message', 'correlation key', key);
    return feel === undefined ? {} : { correlationKey: feel };
  }

  manualTask(_e: ModdleElement, out: Json) {
    out.type = 'manualTask';
  }

  task(e: ModdleElement, out: Json) {
    out.type = 'task';
    if (e.loopCharacteristics) this.unsupport(out.id as string, 'A loop on a plain task', 'Make it a user or service task to run it several times.');
  }

  subProcess(e: ModdleElement, out: Json) {
    out.type = 'subProcess';
    if (e.triggeredByEvent === true) out.triggeredByEvent = true;
    if (e.$type === 'bpmn:Transaction') this.unsupport(out.id as string, 'A transaction (cancel and compensation semantics)', 'It is imported as a plain subprocess; model cancellation with error events.');
    if (e.$type === 'bpmn:AdHocSubProcess') this.unsupport(out.id as string, 'An ad-hoc subprocess (steps in any order)', 'It is imported as a plain subprocess; model the order with gateways.');
    const inner = this.scope(e);
    out.elements = inner.elements;
    out.flows = inner.flows;
    if (inner.artifacts) out.artifacts = inner.artifacts;
    this.multiInstance(e, out);
  }

  private multiInstance(e: ModdleElement, out: Json) {
    const loop = e.loopCharacteristics as ModdleElement | undefined;
    if (!loop) return;
    const id = out.id as string;
    if (loop.$type === 'bpmn:StandardLoopCharacteristics') {
      this.unsupport(id, 'A standard loop (repeat while a condition holds)', 'Model the repetition with an exclusive gateway and a flow back, or use multi-instance.');
      return;
    }
    const mi: Json = {};
    if (loop.isSequential === true) mi.sequential = true;
    const zeebe = this.dialects.extension(loop, 'loopCharacteristics', ['zeebe']);
    const collection = text(loop, 'collection') ?? this.dialects.attr(loop, 'collection')?.value ?? text(zeebe, 'inputCollection');
    if (collection) {
      const feel = text(loop, 'collection') ? collection : this.expression(id, 'multi-instance collection', /^[$#]\{|^=/.test(collection) ? collection : collection);
      if (feel !== undefined) mi.collection = feel;
    }
    const cardinality = loop.loopCardinality as ModdleElement | undefined;
    if (!mi.collection && cardinality && typeof cardinality.body === 'string') {
      const feel = this.expression(id, 'loop cardinality', cardinality.body, text(cardinality, 'language'));
      if (feel !== undefined) mi.cardinality = feel;
    }
    const element = text(loop, 'elementVariable') ?? this.dialects.attr(loop, 'elementVariable')?.value ?? text(zeebe, 'inputElement');
    if (element && VARIABLE.test(element)) mi.elementVariable = element;
    const completion = loop.completionCondition as ModdleElement | undefined;
    if (completion && typeof completion.body === 'string') {
      const feel = this.expression(id, 'completion condition', completion.body, text(completion, 'language'));
      if (feel !== undefined) mi.completionCondition = feel;
    }
    const outputCollection = text(loop, 'outputCollection') ?? text(zeebe, 'outputCollection');
    if (outputCollection && VARIABLE.test(outputCollection)) mi.outputCollection = outputCollection;
    const outputElement = text(loop, 'outputElement') ?? text(zeebe, 'outputElement');
    if (outputElement) {
      const feel = text(loop, 'outputElement') ? outputElement : this.expression(id, 'output element', outputElement);
      if (feel !== undefined) mi.outputElement = feel;
    }
    if (mi.collection === undefined && mi.cardinality === undefined) {
      this.unsupport(id, 'Multi-instance without a collection or cardinality', 'Say what it runs once per item of (a FEEL list) or how many times.');
    }
    out.multiInstance = mi;
  }

  gateway(type: string) {
    return (e: ModdleElement, out: Json) => {
      out.type = type;
      if ((type === 'exclusiveGateway' || type === 'inclusiveGateway') && e.default) out.default = this.ref(e.default);
      if (e.$type === 'bpmn:ComplexGateway') this.unsupport(out.id as string, 'A complex gateway', 'It is imported as an inclusive gateway; use exclusive, inclusive or parallel gateways.');
    };
  }

  // ---- events -------------------------------------------------------------------------------

  startEvent(e: ModdleElement, out: Json) {
    out.type = 'startEvent';
    const event = this.eventDefinition(e, ['timer', 'message', 'signal', 'error', 'escalation', 'conditional']);
    if (event) out.event = event;
    if (e.isInterrupting === false) out.interrupting = false;
  }

  endEvent(e: ModdleElement, out: Json) {
    out.type = 'endEvent';
    const outcome = text(e, 'outcome');
    if (outcome) out.outcome = outcome;
    const defs = list(e.eventDefinitions);
    if (defs.some((d) => d.$type === 'bpmn:TerminateEventDefinition')) out.terminate = true;
    const event = this.eventDefinition(e, ['error', 'escalation', 'message', 'signal'], ['bpmn:TerminateEventDefinition']);
    if (event) out.event = event;
  }

  intermediateCatchEvent(e: ModdleElement, out: Json) {
    out.type = 'intermediateCatchEvent';
    const event = this.eventDefinition(e, ['timer', 'message', 'signal', 'link', 'conditional']);
    if (event) out.event = event;
    else {
      out.type = 'intermediateThrowEvent';
      this.note(out.id as string, 'a catch event with no event definition passes through, as a none intermediate event');
    }
  }

  intermediateThrowEvent(e: ModdleElement, out: Json) {
    out.type = 'intermediateThrowEvent';
    const event = this.eventDefinition(e, ['message', 'signal', 'link']);
    if (event) out.event = event;
  }

  boundaryEvent(e: ModdleElement, out: Json) {
    out.type = 'boundaryEvent';
    out.attachedTo = this.ref(e.attachedToRef) ?? '';
    if (e.cancelActivity === false) out.cancelActivity = false;
    const event = this.eventDefinition(e, ['timer', 'message', 'signal', 'error', 'escalation', 'conditional']);
    if (event) out.event = event;
    else this.unsupport(out.id as string, 'A boundary event that does not say what it waits for', 'Choose what it waits for (timer, message, signal, error or escalation).');
  }

  /** The element's one event definition in Trellis form; others (or more than one) are reported. */
  private eventDefinition(e: ModdleElement, allowed: string[], ignored: string[] = []): Json | undefined {
    const id = this.id(e);
    const defs = list(e.eventDefinitions).filter((d) => !ignored.includes(d.$type));
    if (list(e.eventDefinitionRefs).length > 0) this.unsupport(id, 'Event definitions referenced from the root of the file', 'Define the event inside the element.');
    if (defs.length === 0) return undefined;
    if (defs.length > 1) this.unsupport(id, `${defs.length} event definitions on one event (multiple or parallel multiple)`, 'Use one event per trigger.');
    const d = defs[0]!;
    const kind = d.$type.slice('bpmn:'.length).replace(/EventDefinition$/, '').toLowerCase();
    // What waits for the event (start, catch, boundary) may say who sends it; a throw sends it itself.
    const catching = allowed.includes('timer') || e.$type === 'bpmn:IntermediateCatchEvent';
    if (!allowed.includes(kind)) {
      this.unsupport(id, `A ${kind} event definition on a ${e.$type.slice(5)}`, kind === 'compensate' || kind === 'cancel' ? 'Compensation and cancel events are not supported; model the undo steps explicitly.' : 'Use an event kind Trellis supports here.');
      return undefined;
    }
    switch (kind) {
      case 'timer': {
        const timer: Json = { kind: 'timer' };
        for (const [field, prop] of [['duration', 'timeDuration'], ['date', 'timeDate'], ['cycle', 'timeCycle']] as const) {
          const expr = d[prop] as ModdleElement | undefined;
          const body = typeof expr?.body === 'string' ? expr.body.trim() : '';
          if (!body) continue;
          if (/^[$#]\{|^=/.test(body)) {
            const feel = this.expression(id, `timer ${field}`, body);
            if (feel !== undefined) timer[field] = `=${feel}`;
          } else timer[field] = clip(body, 2_000);
        }
        const set = ['duration', 'date', 'cycle'].filter((f) => timer[f] !== undefined);
        if (set.length > 1) {
          this.unsupport(id, `A timer with ${set.join(' and ')}`, 'Keep one of duration, date or cycle.');
          for (const f of set.slice(1)) delete timer[f];
        }
        if (set.length === 0) this.unsupport(id, 'A timer that does not say when it fires', 'Give it a duration (P2D), a date or a cycle (R3/PT10H).');
        return timer;
      }
      case 'message': {
        const message = d.messageRef as ModdleElement | undefined;
        const name = this.messageName(message) ?? (typeof e.name === 'string' && e.name.trim() ? clip(e.name.trim(), 200) : id);
        if (!message) this.note(id, `no message is referenced: the message is named "${name}"`);
        return { kind: 'message', name, ...(catching ? { ...this.correlation(d, message), ...sendableBy(d) } : {}) };
      }
      case 'signal': {
        const signal = d.signalRef as ModdleElement | undefined;
        const name = (typeof signal?.name === 'string' && signal.name.trim() ? signal.name.trim() : signal?.id) ?? (typeof e.name === 'string' && e.name.trim() ? e.name.trim() : id);
        return { kind: 'signal', name: clip(name, 200), ...(catching ? sendableBy(d) : {}) };
      }
      case 'error':
      case 'escalation': {
        const ref = (kind === 'error' ? d.errorRef : d.escalationRef) as ModdleElement | undefined;
        const code = kind === 'error' ? ref?.errorCode : ref?.escalationCode;
        return { kind, ...(typeof code === 'string' && code !== '' ? { code: clip(code, 200) } : {}) };
      }
      case 'link':
        return { kind: 'link', name: clip(typeof d.name === 'string' && d.name ? d.name : id, 200) };
      case 'conditional': {
        const condition = d.condition as ModdleElement | undefined;
        const feel = this.expression(id, 'condition', text(condition, 'body') ?? '', text(condition, 'language'));
        return { kind: 'conditional', condition: feel ?? 'false' };
      }
      default:
        return undefined;
    }
  }

  // ---- artifacts, lanes, collaboration ------------------------------------------------------

  private dataArtifact(e: ModdleElement): Artifact | null {
    const name = this.name(e);
    const common = { id: this.id(e), ...(name ? { name } : {}) };
    switch (e.$type) {
      case 'bpmn:DataObject':
        return { ...common, type: 'dataObject', ...(e.isCollection === true ? { isCollection: true } : {}) };
      case 'bpmn:DataObjectReference': {
        const ref = this.ref(e.dataObjectRef);
        return { ...common, type: 'dataObjectReference', ...(ref ? { dataObject: ref } : {}) };
      }
      case 'bpmn:DataStoreReference': {
        const store = e.dataStoreRef as ModdleElement | undefined;
        return { ...common, type: 'dataStoreReference', ...(store?.id ? { dataStore: clip(store.id, 200) } : {}) };
      }
      default:
        return null;
    }
  }

  private dataAssociations(e: ModdleElement): Artifact[] {
    const out: Artifact[] = [];
    const activity = this.id(e);
    const dropped = (a: ModdleElement) => this.unsupport(this.id(a), 'A data association that does not link a data object or store (e.g. a process input or output)', 'It is not kept.', false);
    for (const a of list(e.dataInputAssociations)) {
      const source = list(a.sourceRef)[0];
      if (source && isData(source)) out.push({ id: this.id(a), type: 'dataAssociation', direction: 'input', activity, data: this.id(source) });
      else dropped(a);
    }
    for (const a of list(e.dataOutputAssociations)) {
      const target = a.targetRef as ModdleElement | undefined;
      if (target && isData(target)) out.push({ id: this.id(a), type: 'dataAssociation', direction: 'output', activity, data: this.id(target) });
      else dropped(a);
    }
    return out;
  }

  private artifact(a: ModdleElement): Artifact | null {
    switch (a.$type) {
      case 'bpmn:TextAnnotation':
        return { id: this.id(a), type: 'textAnnotation', ...(typeof a.text === 'string' ? { text: clip(a.text, 10_000) } : {}) };
      case 'bpmn:Association': {
        const source = this.ref(a.sourceRef);
        const target = this.ref(a.targetRef);
        if (!source || !target) return null;
        const direction = a.associationDirection;
        return { id: this.id(a), type: 'association', source, target, ...(direction === 'One' || direction === 'Both' ? { direction } : {}) };
      }
      case 'bpmn:Group': {
        const value = a.categoryValueRef as ModdleElement | undefined;
        const name = typeof value?.value === 'string' && value.value.trim() ? clip(value.value, 500) : undefined;
        return { id: this.id(a), type: 'group', ...(name ? { name } : {}) };
      }
      default:
        this.unsupport(this.id(a), `${a.$type.slice(5)} artifact`, 'It is not kept.', false);
        return null;
    }
  }

  lanes(process: ModdleElement): Lane[] | undefined {
    const sets = list(process.laneSets);
    if (sets.length === 0) return undefined;
    const lanesOf = (set: ModdleElement | undefined): Lane[] =>
      list(set?.lanes).map((l) => {
        const name = this.name(l);
        const inner = lanesOf(l.childLaneSet as ModdleElement | undefined);
        return { id: this.id(l), ...(name ? { name } : {}), elements: list(l.flowNodeRef).map((n) => this.id(n)), ...(inner.length > 0 ? { lanes: inner } : {}) };
      });
    const all = sets.flatMap((s) => lanesOf(s));
    return all.length > 0 ? all : undefined;
  }

  private collaboration(c: ModdleElement): Json {
    const name = this.name(c);
    const artifacts = list(c.artifacts).map((a) => this.artifact(a)).filter((a): a is Artifact => a !== null);
    for (const child of ['conversations', 'conversationLinks', 'choreographyRef', 'correlationKeys'] as const) {
      if (list(c[child]).length > 0) this.unsupport(this.id(c), `Collaboration ${child}`, 'Conversations and choreographies are not kept.', false);
    }
    return {
      id: this.id(c),
      ...(name ? { name } : {}),
      participants: list(c.participants).map((p) => {
        const pn = this.name(p);
        const process = p.processRef as ModdleElement | undefined;
        return { id: this.id(p), ...(pn ? { name: pn } : {}), ...(process ? { process: this.id(process) } : {}) };
      }),
      messageFlows: list(c.messageFlows).flatMap((m) => {
        const source = this.ref(m.sourceRef);
        const target = this.ref(m.targetRef);
        if (!source || !target) return [];
        const mn = this.name(m);
        return [{ id: this.id(m), ...(mn ? { name: mn } : {}), source, target }];
      }),
      ...(artifacts.length > 0 ? { artifacts } : {}),
    };
  }

  // ---- diagram ------------------------------------------------------------------------------

  readDiagrams(): Diagram[] {
    const out: Diagram[] = [];
    for (const d of list(this.definitions.diagrams)) {
      const plane = d.plane as ModdleElement | undefined;
      const owner = plane?.bpmnElement as ModdleElement | undefined;
      if (!plane || !owner) continue;
      const diagram: Diagram = { plane: this.id(owner), shapes: {}, edges: {} };
      for (const di of list(plane.planeElement)) {
        const element = di.bpmnElement as ModdleElement | undefined;
        if (!element?.id) continue;
        const id = this.id(element);
        const label = di.label as ModdleElement | undefined;
        const labelBounds = label?.bounds ? boundsOf(label.bounds as ModdleElement) : undefined;
        if (di.$type === 'bpmndi:BPMNShape' && di.bounds) {
          diagram.shapes[id] = {
            ...boundsOf(di.bounds as ModdleElement),
            ...(typeof di.isExpanded === 'boolean' ? { isExpanded: di.isExpanded } : {}),
            ...(typeof di.isHorizontal === 'boolean' ? { isHorizontal: di.isHorizontal } : {}),
            ...(typeof di.isMarkerVisible === 'boolean' ? { isMarkerVisible: di.isMarkerVisible } : {}),
            ...(labelBounds ? { label: labelBounds } : {}),
          };
        } else if (di.$type === 'bpmndi:BPMNEdge') {
          diagram.edges[id] = { waypoints: list(di.waypoint).map((p) => [num(p.x), num(p.y)] as [number, number]), ...(labelBounds ? { label: labelBounds } : {}) };
        }
      }
      out.push(diagram);
    }
    return out;
  }
}

type Translator = (this: Importer, e: ModdleElement, out: Json) => void;

/** BPMN type → translation; aliases share one (SubProcess, Transaction, AdHocSubProcess). */
const ELEMENTS: Record<string, Translator> = {
  'bpmn:StartEvent': Importer.prototype.startEvent,
  'bpmn:EndEvent': Importer.prototype.endEvent,
  'bpmn:IntermediateCatchEvent': Importer.prototype.intermediateCatchEvent,
  'bpmn:IntermediateThrowEvent': Importer.prototype.intermediateThrowEvent,
  'bpmn:BoundaryEvent': Importer.prototype.boundaryEvent,
  'bpmn:UserTask': Importer.prototype.userTask,
  'bpmn:ServiceTask': Importer.prototype.serviceTask,
  'bpmn:ScriptTask': Importer.prototype.scriptTask,
  'bpmn:BusinessRuleTask': Importer.prototype.businessRuleTask,
  'bpmn:SendTask': Importer.prototype.sendTask,
  'bpmn:ReceiveTask': Importer.prototype.receiveTask,
  'bpmn:ManualTask': Importer.prototype.manualTask,
  'bpmn:Task': Importer.prototype.task,
  'bpmn:CallActivity': Importer.prototype.callActivity,
  'bpmn:SubProcess': Importer.prototype.subProcess,
  'bpmn:Transaction': Importer.prototype.subProcess,
  'bpmn:AdHocSubProcess': Importer.prototype.subProcess,
  'bpmn:ExclusiveGateway': function (e, out) {
    this.gateway('exclusiveGateway')(e, out);
  },
  'bpmn:InclusiveGateway': function (e, out) {
    this.gateway('inclusiveGateway')(e, out);
  },
  'bpmn:ComplexGateway': function (e, out) {
    this.gateway('inclusiveGateway')(e, out);
  },
  'bpmn:ParallelGateway': function (e, out) {
    this.gateway('parallelGateway')(e, out);
  },
  'bpmn:EventBasedGateway': function (e, out) {
    this.gateway('eventBasedGateway')(e, out);
  },
};

// ---- small helpers ------------------------------------------------------------------------

function list(value: unknown): ModdleElement[] {
  return Array.isArray(value) ? (value as ModdleElement[]) : value ? [value as ModdleElement] : [];
}

function docs(e: ModdleElement | undefined): string | undefined {
  const texts = list(e?.documentation).map((d) => (typeof d.text === 'string' ? d.text.trim() : '')).filter(Boolean);
  return texts.length > 0 ? clip(texts.join('\n\n'), 10_000) : undefined;
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 + 0 : 0;
}

function boundsOf(b: ModdleElement): { x: number; y: number; width: number; height: number } {
  return { x: num(b.x), y: num(b.y), width: num(b.width), height: num(b.height) };
}

/** Every id the definition holds (elements, flows, artifacts, lanes, pools, the collaboration's). */
function idsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) idsIn(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.id === 'string') out.add(o.id);
    if (typeof o.processId === 'string') out.add(o.processId);
    else if (typeof o.key === 'string' && typeof o.formatVersion === 'number') out.add(o.key);
    for (const [k, v] of Object.entries(o)) if (k !== 'diagrams' && typeof v === 'object') idsIn(v, out);
  }
  return out;
}

/** The picture of what was kept: drawings of elements that were not imported are dropped with them. */
function keptOnly(diagrams: Diagram[], ids: Set<string>): Diagram[] {
  return diagrams
    .filter((d) => ids.has(d.plane))
    .map((d) => ({ plane: d.plane, shapes: Object.fromEntries(Object.entries(d.shapes).filter(([id]) => ids.has(id))), edges: Object.fromEntries(Object.entries(d.edges).filter(([id]) => ids.has(id))) }));
}

function processIdOf(p: ModdleElement): string {
  return typeof p.id === 'string' ? p.id : 'process';
}

function isData(e: ModdleElement): boolean {
  return e.$type === 'bpmn:DataObjectReference' || e.$type === 'bpmn:DataStoreReference' || e.$type === 'bpmn:DataObject';
}

/** A job type from a vendor name: `ArchiveInvoiceService` → `archive-invoice-service`. */
function jobType(name: string): string {
  const key = toKey(name, 'job');
  return /^[a-z]/.test(key) ? key : `job-${key}`.slice(0, 64);
}
