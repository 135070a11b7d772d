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
import { checkExpression } from '../expressions/feel';
import { toKey } from '../model/keys';
import { canonicalDefinition } from '../model/canonical';
import { Ledger, sweep, VendorNames, type AccountedFeature, type Unaccounted, type VendorDialect } from './accounting';
import {
  children,
  Dialects,
  ENGINE_DIALECTS,
  listOrExpression,
  literalOrExpression,
  text,
  toFeel,
  type Dialect,
} from './dialects';
import { inventory, readBpmn, type ModdleElement } from './read';
import type { XmlLimits } from './safe-xml';

export interface ImportReport {
  /** Counts by BPMN type as found in the file (the corpus tool's names). */
  elements: Record<string, number>;
  translated: { elementId: string; what: string }[];
  unsupported: ImportIssue[];
  /**
   * Every attribute and extension element of the Camunda 7, Camunda 8, Flowable and Activiti
   * namespaces in the file, and what the import made of it: translated, ignored (the reason is in
   * `translated`) or not run (the reason is in `unsupported`). Nothing is left out (accounting.ts).
   */
  extensions: AccountedFeature[];
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
  return (
    text(element, attr)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? []
  );
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

/** Dialects whose reads are marked in the ledger: what a translation reads is translated, unless marked worse. */
class RecordingDialects extends Dialects {
  constructor(
    definitions: ModdleElement,
    private readonly ledger: Ledger,
  ) {
    super(definitions);
  }

  override attr(
    element: ModdleElement,
    local: string,
    dialects: readonly Dialect[] = ENGINE_DIALECTS,
  ): { dialect: Dialect; value: string } | undefined {
    const found = super.attr(element, local, dialects);
    if (found && found.dialect !== 'trellis') this.ledger.attribute(element, `${found.dialect}:${local}`, 'translated');
    return found;
  }

  override extension(element: ModdleElement, local: string, dialects: readonly Dialect[]): ModdleElement | undefined {
    const found = super.extension(element, local, dialects);
    if (found && !dialects.every((d) => d === 'trellis')) this.ledger.element(found, 'translated', []);
    return found;
  }
}

class Importer {
  private readonly ledger = new Ledger();
  private readonly dialects: Dialects;
  private readonly vendorNames: VendorNames;
  private readonly translated: ImportReport['translated'] = [];
  private readonly unsupported: ImportIssue[] = [];
  /** Issues in the main process: they keep the definition a draft. */
  private readonly issues: ImportIssue[] = [];
  private recording = true;
  private readonly renamed = new Map<string, string>();
  private readonly usedIds = new Set<string>();
  private generated = 0;

  /** The `initiator="…"` variable the main process's start event declares (Camunda 7, Flowable). */
  private initiatorVariable: string | undefined;
  /** The main process's none start event: its form is the start form. */
  private mainStart: ModdleElement | undefined;

  constructor(private readonly definitions: ModdleElement) {
    this.dialects = new RecordingDialects(definitions, this.ledger);
    this.vendorNames = new VendorNames(definitions);
  }

  run(options: ImportOptions): Omit<BpmnImport, 'warnings'> {
    const roots = list(this.definitions.rootElements);
    const processes = roots.filter((r) => r.$type === 'bpmn:Process');
    const collaboration = roots.find((r) => r.$type === 'bpmn:Collaboration');
    const participants = list(collaboration?.participants);
    for (const r of roots) {
      if (
        ![
          'bpmn:Process',
          'bpmn:Collaboration',
          'bpmn:Message',
          'bpmn:Signal',
          'bpmn:Error',
          'bpmn:Escalation',
          'bpmn:DataStore',
          'bpmn:ItemDefinition',
          'bpmn:Category',
          'bpmn:Interface',
          'bpmn:Resource',
          'bpmn:EndPoint',
          'bpmn:CorrelationProperty',
        ].includes(r.$type)
      ) {
        this.unsupport(
          r.id ?? r.$type,
          `${r.$type.slice(5)} "${r.id ?? ''}" is not imported`,
          'Trellis imports processes, collaborations and their events; model this part inside a process.',
          false,
        );
        this.ledger.subtree(r, 'not-run');
      } else if (r.$type !== 'bpmn:Process') this.vendorCommon(r, r.id ?? r.$type);
    }
    this.vendorCommon(
      this.definitions,
      typeof this.definitions.id === 'string' && this.definitions.id !== '' ? this.definitions.id : 'definitions',
    );
    if (processes.length === 0)
      throw new BpmnImportError('The file has no process: a BPMN file for Trellis needs at least one <process>.');

    const main = this.pickMain(processes, participants, options.processId);
    const elementsOf = (p: ModdleElement) => list(p.flowElements).length;
    const definition: Json = {};

    // The main process first, recording issues; the other pools for the picture only.
    this.mainStart = list(main.flowElements).find(
      (e) => e.$type === 'bpmn:StartEvent' && list(e.eventDefinitions).length === 0,
    );
    this.initiatorVariable = this.initiator();
    this.vendorCommon(main, this.id(main));
    // Issues an earlier import recorded (carried by its export) come first: the scope reads them, e.g. a
    // flow whose condition was not translated keeps no condition rather than getting one by default.
    for (const ext of this.dialects.extensions(main, ['trellis']).filter((x) => /^importIssue$/i.test(x.local))) {
      this.unsupport(
        text(ext.element, 'elementId') ?? processIdOf(main),
        text(ext.element, 'what') ?? 'unsupported',
        text(ext.element, 'hint') ?? '',
      );
    }
    const mainScope = this.scope(main);
    this.recording = false;
    const pools = processes
      .filter((p) => p !== main)
      .map((p) => {
        this.vendorCommon(p, this.id(p));
        return {
          id: this.id(p),
          ...optional('name', this.name(p)),
          ...optional('documentation', docs(p)),
          ...this.scope(p),
          ...optional('lanes', this.lanes(p)),
        };
      });
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
    for (const k of ['category', 'startForm', 'businessKey'] as const) {
      const v = text(main, k);
      if (v) definition[k] = v;
    }
    // trellis:summary="vendor, amount": the variables that sum a case up (the schema below checks each name).
    const summary = textList(main, 'summary');
    if (summary.length > 0) definition.summary = summary;
    // trellis:startableBy="accounting, sales" (departments), trellis:startableByRoles="designer" (roles)
    const [startGroups, startRoles] = [textList(main, 'startableBy'), textList(main, 'startableByRoles')];
    if (startGroups.length > 0 || startRoles.length > 0) {
      // An unknown role is refused by the schema below, naming startableBy.roles.
      definition.startableBy = {
        ...(startGroups.length > 0 ? { groups: startGroups } : {}),
        ...(startRoles.length > 0 ? { roles: startRoles as StartableBy['roles'] } : {}),
      };
    } else {
      const starters = this.starterGroups(main);
      if (starters) definition.startableBy = { groups: starters };
    }
    const processId = this.id(main);
    if (processId !== key) definition.processId = processId;
    if (!definition.startForm) {
      const start = list(main.flowElements).find(
        (e) => e.$type === 'bpmn:StartEvent' && list(e.eventDefinitions).length === 0,
      );
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
    const { features, unaccounted } = sweep(this.definitions, this.ledger, this.vendorNames, (e) => this.id(e));
    const mainIds = idsIn({ elements: mainScope.elements, flows: mainScope.flows, artifacts: mainScope.artifacts });
    mainIds.add(processId);
    for (const u of unaccounted) this.unaccounted(u, mainIds.has(u.elementId));
    if (this.issues.length > 0) definition.importIssues = this.issues;
    if (list(main.flowElements).length === 0 && elementsOf(main) === 0) {
      throw new BpmnImportError(`Process "${main.id}" has no elements; a definition needs at least a start event.`);
    }

    const parsed = processDefinitionSchema.safeParse(definition);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BpmnImportError(
        `The imported process does not fit the definition format at ${issue.path.join('.')}: ${issue.message}.`,
      );
    }
    return {
      definition: canonicalDefinition(parsed.data),
      report: {
        elements: inventory(this.definitions),
        translated: this.translated,
        unsupported: this.unsupported,
        extensions: features,
      },
      processes: processes.map((p) => ({
        id: this.id(p),
        ...optional('name', typeof p.name === 'string' ? p.name : undefined),
        executable: p.isExecutable === true,
      })),
    };
  }

  private pickMain(
    processes: ModdleElement[],
    participants: ModdleElement[],
    wanted: string | undefined,
  ): ModdleElement {
    if (wanted) {
      const found = processes.find((p) => p.id === wanted || this.id(p) === wanted);
      if (!found)
        throw new BpmnImportError(
          `The file has no process "${wanted}"; it has ${processes.map((p) => `"${p.id}"`).join(', ')}.`,
        );
      return found;
    }
    const pooled = participants
      .map((p) => p.processRef as ModdleElement | undefined)
      .filter((p): p is ModdleElement => !!p);
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
    this.translated.push({
      elementId: id,
      what: `id "${original}" renamed "${id}" (ids hold letters, digits, "_" and "-")`,
    });
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
    if (typeof target === 'string')
      return ID.test(target) ? target : (this.renamed.get(target) ?? this.id({ $type: 'bpmn:Ref', id: target }));
    return this.id(target as ModdleElement);
  }

  private name(element: ModdleElement | undefined, of = 'name'): LocalizedText | undefined {
    if (!element) return undefined;
    const translations = this.dialects
      .extensions(element, ['trellis'])
      .filter((e) => e.local === 'Translation' || e.local === 'translation')
      .map((e) => e.element)
      .filter(
        (t) =>
          (text(t, 'of') ?? 'name') === of && typeof t.lang === 'string' && typeof t.text === 'string' && t.text !== '',
      );
    if (translations.length > 0)
      return Object.fromEntries(translations.map((t) => [t.lang as string, clip(t.text as string, 500)]));
    const raw = of === 'name' ? element.name : undefined;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    if (raw.length > 500) this.note(this.id(element), `name shortened to 500 characters`);
    return clip(raw, 500);
  }

  private hasIssue(elementId: string): boolean {
    return this.unsupported.some((i) => i.elementId === elementId);
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
    const inclusive = new Set(list(container.flowElements).filter((e) => e.$type === 'bpmn:InclusiveGateway'));
    const artifacts: Artifact[] = [];
    for (const e of list(container.flowElements)) {
      if (e.$type === 'bpmn:SequenceFlow') {
        const flow = this.flow(e);
        // BPMN: a flow leaving an inclusive gateway without a condition is always taken.
        const source = e.sourceRef as ModdleElement | undefined;
        if (
          source &&
          inclusive.has(source) &&
          flow.condition === undefined &&
          source.default !== e &&
          !this.hasIssue(flow.id as string)
        ) {
          flow.condition = 'true';
          this.note(
            flow.id as string,
            'a flow leaving an inclusive gateway without a condition is always taken: condition "true"',
          );
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
    // A process's inputs and outputs are drawn (data input and output shapes): kept with the picture.
    const io =
      container.$type === 'bpmn:Process' ? (container.ioSpecification as ModdleElement | undefined) : undefined;
    for (const [kind, entries] of [
      ['dataInput', io?.dataInputs],
      ['dataOutput', io?.dataOutputs],
    ] as const) {
      for (const d of list(entries)) {
        const name = this.name(d);
        artifacts.push({
          id: this.id(d),
          type: kind,
          ...(name ? { name } : {}),
          ...(d.isCollection === true ? { isCollection: true } : {}),
        });
      }
    }
    this.otherwiseFlows(elements, flows);
    return { elements, flows, ...(artifacts.length > 0 ? { artifacts } : {}) };
  }

  /**
   * Camunda 7 and Flowable take a flow without a condition leaving an exclusive gateway when the
   * gateway reaches it; drawn last, it is the "otherwise" of the gateway. One such flow on a gateway
   * without a default becomes its default flow, which Trellis takes when no condition holds (the
   * same, unless the file put conditions after it: the report says so). Several stay as they are,
   * and validation names them.
   */
  private otherwiseFlows(elements: Json[], flows: Json[]) {
    for (const g of elements) {
      if (g.type !== 'exclusiveGateway' || g.default !== undefined) continue;
      const out = flows.filter((f) => f.source === g.id);
      const bare = out.filter((f) => f.condition === undefined && !this.hasIssue(f.id as string));
      if (out.length < 2 || bare.length !== 1) continue;
      const flow = bare[0]!;
      g.default = flow.id;
      const later = out.slice(out.indexOf(flow) + 1).map((f) => `"${f.id as string}"`);
      this.note(
        flow.id as string,
        `a flow without a condition leaving exclusive gateway "${g.id as string}" is its default flow, taken when no condition holds` +
          (later.length > 0
            ? ` (the file lists ${later.join(', ')} after it, which Camunda 7 and Flowable would then not try; Trellis tries every condition first)`
            : ''),
      );
    }
  }

  private flow(f: ModdleElement): Json {
    const out: Json = { id: this.id(f), source: this.ref(f.sourceRef) ?? '', target: this.ref(f.targetRef) ?? '' };
    this.vendorCommon(f, out.id as string);
    const name = this.name(f);
    if (name) out.name = name;
    const documentation = docs(f);
    if (documentation) out.documentation = documentation;
    const condition = f.conditionExpression as ModdleElement | undefined;
    if (condition) {
      const body = text(condition, 'body') ?? '';
      const language = text(condition, 'language') ?? this.expressionLanguage();
      // A condition written in FEEL (its language, or Camunda 8's `=`) is kept as written even when it does not parse (a designer's
      // typo): the validator names the error, and nothing typed is lost. Other languages translate.
      const written =
        (language && /feel/i.test(language)) || body.trim().startsWith('=') ? body.trim().replace(/^=/, '').trim() : '';
      const feel =
        written && checkExpression(written) ? written : this.expression(out.id as string, 'condition', body, language);
      if (feel !== undefined) out.condition = feel;
    }
    return out;
  }

  private expressionLanguage(): string | undefined {
    return text(this.definitions, 'expressionLanguage');
  }

  /**
   * A vendor expression as FEEL, noting the translation; when it cannot be translated the
   * element keeps no expression and the import records an issue (it is never run as it was), and
   * `failed` marks the vendor feature it came from as not run.
   */
  private expression(
    elementId: string,
    what: string,
    raw: string,
    language?: string,
    failed?: () => void,
  ): string | undefined {
    if (raw.trim() === '') {
      failed?.();
      return undefined;
    }
    const t = toFeel(raw, language && !/XPath/i.test(language) ? language : undefined, {
      dueDate: what === 'due date',
    });
    if (t.ok) {
      if (t.note) this.note(elementId, `${what}: ${t.note}`);
      return t.feel;
    }
    this.unsupport(
      elementId,
      `The ${what} "${clip(raw, 200)}" was not translated: ${t.reason}.`,
      `Write the ${what} in FEEL.`,
    );
    failed?.();
    return undefined;
  }

  private element(e: ModdleElement): Json | null {
    const translate = ELEMENTS[e.$type];
    if (!translate) {
      this.unsupport(
        this.id(e),
        `${e.$type.slice(5)} "${e.id}" is not supported`,
        'Replace it with an element Trellis runs (see engine/model/README.md).',
      );
      this.ledger.subtree(e, 'not-run');
      return null;
    }
    const out: Json = { id: this.id(e), type: '' };
    const name = this.name(e);
    if (name) out.name = name;
    const documentation = docs(e);
    if (documentation) out.documentation = documentation;
    translate.call(this, e, out);
    this.vendorCommon(e, out.id as string);
    const where =
      'Trellis maps variables only on service, script, user and business rule tasks (and call activities, with their own mappings): move the mapping there.';
    if (!MAPPED.camunda.has(out.type as string)) {
      const inputOutput = this.dialects.extension(e, 'inputOutput', ['camunda']);
      if (inputOutput) this.ledger.element(inputOutput, 'not-run', []);
      for (const p of children(inputOutput ?? { $type: 'x' })) {
        this.unsupport(
          out.id as string,
          `The ${p.local} "${text(p.element, 'name') ?? ''}" maps variables on a ${out.type as string}`,
          where,
        );
        this.ledger.element(p.element, 'not-run');
      }
    }
    if (!MAPPED.zeebe.has(out.type as string)) {
      const io = this.dialects.extension(e, 'ioMapping', ['zeebe']);
      if (io) this.ledger.element(io, 'not-run', []);
      for (const c of children(io ?? { $type: 'x' })) {
        this.unsupport(
          out.id as string,
          `The ${c.local} mapping of "${text(c.element, 'target') ?? ''}" maps variables on a ${out.type as string}`,
          where,
        );
        this.ledger.element(c.element, 'not-run');
      }
    }
    return out;
  }

  // ---- vendor features (every one is accounted for: accounting.ts) --------------------------

  /** An attribute of a vendor element (`zeebe:taskSchedule dueDate`), recorded as translated when it is there. */
  private vtext(v: ModdleElement | undefined, key: string): string | undefined {
    const value = text(v, key);
    if (v && value !== undefined) this.ledger.element(v, 'translated', [key]);
    return value;
  }

  /** A vendor attribute of a BPMN element that is not run: recorded, and reported. */
  private attrNotRun(e: ModdleElement, found: { dialect: Dialect } | undefined, local: string) {
    if (found) this.ledger.attribute(e, `${found.dialect}:${local}`, 'not-run');
  }

  /**
   * What every element, flow, process and root element may carry: listeners (never run),
   * attributes that change nothing here (noted as ignored, with the reason) and informational
   * properties.
   */
  private vendorCommon(e: ModdleElement, id: string) {
    this.listeners(e, id);
    for (const [qualified, value] of Object.entries((e.$attrs ?? {}) as Record<string, unknown>)) {
      const r = this.vendorNames.resolve(qualified);
      const local = r?.name.slice(r.name.indexOf(':') + 1);
      const reason = local !== undefined && Object.hasOwn(IGNORED, local) ? IGNORED[local] : undefined;
      if (!r || reason === undefined || this.ledger.outcome(e, r.name) !== undefined) continue;
      this.ledger.attribute(e, r.name, 'ignored');
      this.note(id, `${r.name}="${clip(String(value), 100)}" ignored (${reason})`);
    }
    for (const ext of this.dialects.extensions(e, ['zeebe', 'camunda', 'flowable', 'activiti'])) {
      if (ext.local === 'properties') {
        const names = children(ext.element)
          .map((p) => text(p.element, 'name'))
          .filter((n): n is string => !!n);
        this.ledger.element(ext.element, 'ignored');
        this.note(
          id,
          `${ext.dialect}:properties ${names.map((n) => `"${clip(n, 60)}"`).join(', ')} ignored (properties inform tools; they do not run)`,
        );
      } else if (ext.local === 'versionTag' || ext.local === 'failedJobRetryTimeCycle') {
        this.ledger.element(ext.element, 'ignored');
        this.note(id, `${ext.dialect}:${ext.local} ignored (${IGNORED[ext.local]})`);
      } else if (ext.dialect === 'zeebe' && ext.local === 'userTaskForm' && e.$type === 'bpmn:Process') {
        // Camunda 8 keeps embedded forms on the process; its user tasks name them by id.
        this.ledger.element(ext.element, 'not-run');
        this.unsupport(
          id,
          `An embedded Camunda form (zeebe:userTaskForm "${text(ext.element, 'id') ?? ''}")`,
          'Save the form JSON as a .form file and convert it with `trellis convert FILE.form`.',
          false,
        );
      }
    }
  }

  /** Execution and task listeners run vendor code: never run here, always reported. */
  private listeners(e: ModdleElement, id: string) {
    for (const ext of this.dialects.extensions(e)) {
      if (ext.dialect === 'trellis') continue;
      const containers = ext.dialect === 'zeebe' && /Listeners$/.test(ext.local);
      if (!containers && !/^(executionListener|taskListener)$/.test(ext.local)) continue;
      this.ledger.element(ext.element, 'not-run');
      for (const listener of containers ? children(ext.element).map((c) => c.element) : [ext.element]) {
        const script = children(listener).find((c) => c.local === 'script')?.element;
        const attr = (name: string) => text(listener, name) || undefined;
        const how =
          attr('class') ??
          attr('delegateExpression') ??
          attr('expression') ??
          (script
            ? `a ${text(script, 'scriptFormat') ?? ''} script`
            : attr('type')
              ? `job type "${attr('type')!}"`
              : 'code it names nowhere');
        const kind = containers ? ext.local.replace(/s$/, '') : ext.local;
        this.unsupport(
          id,
          `A ${ext.dialect} ${kind} (on "${attr('event') ?? attr('eventType') ?? 'event'}") runs ${clip(how, 200)}.`,
          'Listeners are not run; model what it does as a step (a service task with a connector, or FEEL in a script task).',
        );
      }
    }
  }

  /**
   * `initiator="starter"` on the main process's none start event (Camunda 7, Flowable): the
   * variable holding who started it. Trellis's own is `initiator` (set by the server when a person
   * starts the process; its `email` is the user), so that name is translated; another is not.
   */
  private initiator(): string | undefined {
    const start = this.mainStart;
    const found = start ? this.dialects.attr(start, 'initiator') : undefined;
    if (!start || !found) return undefined;
    const id = this.id(start);
    if (found.value === 'initiator') {
      this.note(
        id,
        `${found.dialect}:initiator "initiator" → Trellis's own "initiator" variable (who started the process: initiator.email, initiator.name, initiator.manager)`,
      );
      return found.value;
    }
    this.attrNotRun(start, found, 'initiator');
    this.unsupport(
      id,
      `${found.dialect}:initiator keeps who started the process in "${clip(found.value, 100)}"`,
      `Trellis keeps them in the variable "initiator" (initiator.email is the user): use that name in the expressions that read "${clip(found.value, 100)}".`,
    );
    return undefined;
  }

  /** `camunda:candidateStarterGroups` → who may start it (startableBy groups); starter users are reported. */
  private starterGroups(main: ModdleElement): string[] | undefined {
    const id = this.id(main);
    const users = this.dialects.attr(main, 'candidateStarterUsers');
    if (users) {
      this.attrNotRun(main, users, 'candidateStarterUsers');
      this.unsupport(
        id,
        `${users.dialect}:candidateStarterUsers "${clip(users.value, 200)}" names who may start the process`,
        'Trellis says who may start a process by department and role: set startableBy.',
        false,
      );
    }
    const groups = this.dialects.attr(main, 'candidateStarterGroups');
    if (!groups) return undefined;
    const r = listOrExpression(groups.value, (g) => toKey(g));
    if ('list' in r) {
      this.note(
        id,
        `${groups.dialect}:candidateStarterGroups "${groups.value}" → startableBy ${JSON.stringify(r.list)}`,
      );
      return r.list;
    }
    this.attrNotRun(main, groups, 'candidateStarterGroups');
    this.unsupport(
      id,
      `${groups.dialect}:candidateStarterGroups "${clip(groups.value, 200)}" is not a list of groups`,
      'Name the departments that may start the process in startableBy.',
      false,
    );
    return undefined;
  }

  /** A vendor feature nobody translated: not run, and reported with what to do. */
  private unaccounted(u: Unaccounted, inMainProcess: boolean) {
    const local = u.name.slice(u.name.lastIndexOf(u.name.includes('@') ? '@' : ':') + 1);
    const shown = `${u.name.replace('@', ' ')}${u.value !== undefined ? `="${clip(u.value, 100)}"` : ''}`;
    const hint =
      HINTS[local] ??
      `Trellis does not know this ${DIALECT_NAMES[u.dialect]} feature, so the process may run differently here: model what it does with Trellis elements, or delete it if it changes nothing.`;
    this.unsupport(u.elementId, `${shown} is not run by Trellis`, hint, inMainProcess);
  }

  // ---- elements -----------------------------------------------------------------------------

  formKey(e: ModdleElement): string | undefined {
    const trellis = text(e, 'formKey');
    if (trellis) return trellis;
    const id = this.id(e);
    const zeebe = this.dialects.extension(e, 'formDefinition', ['zeebe']);
    if (zeebe)
      this.ignoreOptions(
        zeebe,
        id,
        'zeebe:formDefinition',
        ['bindingType', 'versionTag'],
        'Trellis shows the form as published with the process version',
      );
    const engine = this.dialects.attr(e, 'formKey');
    const formId = engine ? undefined : this.vtext(zeebe, 'formId');
    const raw = engine?.value ?? formId ?? this.vtext(zeebe, 'formKey') ?? this.vtext(zeebe, 'externalReference');
    if (!raw) return undefined;
    // embedded:app:forms/approve-invoice.html, camunda-forms:deployment:forms/x.form, app:x.html, x
    const last = raw.split(/[:/]/).filter(Boolean).pop() ?? raw;
    const key = toKey(last.replace(/\.(html?|form|json)$/i, ''));
    const source =
      formId !== undefined
        ? `the Camunda form with id "${formId}" (a .form file beside this one; \`trellis convert\` gives it this key)`
        : /^camunda-forms:bpmn:/.test(raw)
          ? 'the form embedded in this file (zeebe:userTaskForm)'
          : /\.(html?|form|json)$/i.test(last)
            ? `the form file "${last}"`
            : undefined;
    if (key !== raw || source) this.note(id, `form "${raw}" → form key "${key}"${source ? `: ${source}` : ''}`);
    return key;
  }

  /** Options of a vendor element that change nothing in Trellis: accounted as ignored, with the reason. */
  private ignoreOptions(v: ModdleElement, id: string, name: string, options: readonly string[], reason: string) {
    for (const o of options) {
      const value = text(v, o);
      if (value === undefined) continue;
      this.ledger.option(v, o, 'ignored');
      this.note(id, `${name} ${o}="${clip(value, 100)}" ignored (${reason})`);
    }
  }

  userTask(e: ModdleElement, out: Json) {
    out.type = 'userTask';
    const id = out.id as string;
    const formKey = this.formKey(e);
    if (formKey) out.formKey = formKey;
    const marker = this.dialects.extension(e, 'userTask', ['zeebe']);
    if (marker) {
      this.ledger.element(marker, 'translated');
      this.note(id, 'zeebe:userTask: a Camunda user task, worked in the Trellis inbox');
    }
    const zeebe = this.dialects.extension(e, 'assignmentDefinition', ['zeebe']);
    const read = (local: string) => text(e, local) ?? this.dialects.attr(e, local)?.value ?? this.vtext(zeebe, local);
    const groups = read('candidateGroups');
    if (groups) {
      const r = listOrExpression(groups, (g) => toKey(g));
      if ('list' in r) out.candidateGroups = r.list;
      else if ('expression' in r) out.candidateGroups = r.expression;
      else
        this.assignmentNotRun(
          e,
          zeebe,
          'candidateGroups',
          `Candidate groups "${groups}" were not translated: ${r.error}.`,
          'Choose the departments that work this task.',
        );
      if ('list' in r && r.list.join(', ') !== groups)
        this.note(id, `candidate groups "${groups}" → ${JSON.stringify(r.list)}`);
      if ('expression' in r && r.expression !== groups)
        this.note(id, `candidate groups "${groups}" → "${r.expression}"`);
    }
    const users = read('candidateUsers');
    if (users) {
      const r = listOrExpression(users, (u) => u);
      if ('list' in r) out.candidateUsers = r.list;
      else if ('expression' in r) out.candidateUsers = this.starter(id, r.expression);
      else
        this.assignmentNotRun(
          e,
          zeebe,
          'candidateUsers',
          `Candidate users "${users}" were not translated: ${r.error}.`,
          'Name the people, or use candidate groups.',
        );
    }
    const assignee = read('assignee');
    if (assignee) {
      const r = literalOrExpression(assignee);
      if ('value' in r) out.assignee = this.starter(id, r.value);
      else
        this.assignmentNotRun(
          e,
          zeebe,
          'assignee',
          `Assignee "${assignee}" was not translated: ${r.error}.`,
          'Name the person, or use candidate groups.',
        );
    }
    const role = text(e, 'candidateRole');
    if (role === 'manager' || role === 'member') out.candidateRole = role;
    // The four-eyes rule (trellis:notInitiator, trellis:notCompletedBy); validation checks the ids.
    const notInitiator = (e as Record<string, unknown>).notInitiator;
    const notCompletedBy = textList(e, 'notCompletedBy');
    if (typeof notInitiator === 'boolean' || notCompletedBy.length > 0) {
      out.separationOfDuties = {
        ...(typeof notInitiator === 'boolean' ? { notInitiator } : {}),
        ...(notCompletedBy.length > 0 ? { notCompletedBy } : {}),
      };
    }
    const schedule = this.dialects.extension(e, 'taskSchedule', ['zeebe']);
    const engineDue = text(e, 'dueDate') === undefined ? this.dialects.attr(e, 'dueDate') : undefined;
    const due = text(e, 'dueDate') ?? engineDue?.value ?? this.vtext(schedule, 'dueDate');
    if (due) {
      const isExpression = due.startsWith('=') || /^[$#]\{/.test(due) || text(e, 'dueDate') !== undefined;
      const failed = () =>
        engineDue
          ? this.attrNotRun(e, engineDue, 'dueDate')
          : schedule && this.ledger.option(schedule, 'dueDate', 'not-run');
      const feel = isExpression ? this.expression(id, 'due date', due, undefined, failed) : JSON.stringify(due);
      if (feel !== undefined) out.dueDate = feel;
    }
    const followUp = this.dialects.attr(e, 'followUpDate');
    const followUpDate = followUp?.value ?? text(schedule, 'followUpDate');
    if (followUpDate !== undefined) {
      if (followUp) this.attrNotRun(e, followUp, 'followUpDate');
      else if (schedule) this.ledger.option(schedule, 'followUpDate', 'not-run');
      this.unsupport(
        id,
        `The follow-up date "${clip(followUpDate, 200)}" is not kept`,
        'Trellis tasks have a due date and a priority, no follow-up date: use the due date, or remove it.',
        false,
      );
    }
    const priorityDefinition = this.dialects.extension(e, 'priorityDefinition', ['zeebe']);
    const enginePriority = text(e, 'priority') === undefined ? this.dialects.attr(e, 'priority') : undefined;
    const priority = text(e, 'priority') ?? enginePriority?.value ?? this.vtext(priorityDefinition, 'priority');
    if (priority) {
      if (/^\d{1,3}$/.test(priority.trim())) out.priority = Math.min(100, Number(priority));
      else {
        const failed = () =>
          enginePriority
            ? this.attrNotRun(e, enginePriority, 'priority')
            : priorityDefinition && this.ledger.option(priorityDefinition, 'priority', 'not-run');
        const feel = this.expression(id, 'priority', priority, undefined, failed);
        if (feel !== undefined) out.priority = `=${feel}`;
      }
    }
    for (const ext of this.dialects.extensions(e, ['camunda', 'flowable', 'activiti'])) {
      if (ext.local === 'formData' || ext.local === 'formProperty') {
        this.ledger.element(ext.element, 'not-run');
        this.unsupport(
          id,
          `${ext.dialect}:${ext.local} defines the task form inline`,
          'Convert it into a Trellis form and set the form key.',
          false,
        );
      }
    }
    const embedded = this.dialects.extension(e, 'userTaskForm', ['zeebe']);
    if (embedded) {
      this.ledger.element(embedded, 'not-run');
      this.unsupport(
        id,
        'An embedded Camunda form (zeebe:userTaskForm)',
        'Save the form JSON as a .form file and convert it with `trellis convert FILE.form`.',
        false,
      );
    }
    const headers = this.dialects.extension(e, 'taskHeaders', ['zeebe']);
    if (headers) {
      this.ledger.element(headers, 'not-run');
      const keys = children(headers).map((h) => text(h.element, 'key') ?? '');
      this.unsupport(
        id,
        `The task headers ${keys.map((k) => `"${clip(k, 60)}"`).join(', ')} are not kept`,
        'A Trellis user task has no headers: put what the form needs in an input mapping.',
        false,
      );
    }
    for (const x of list((e.extensionElements as ModdleElement | undefined)?.values)) {
      if (this.vendorNames.resolve(x.$type, x)?.name !== 'flowableModeler:initiator-can-complete') continue;
      const value = typeof x.$body === 'string' ? x.$body.trim() : '';
      if (value === 'false') {
        this.ledger.element(x, 'translated');
        this.note(
          id,
          'initiator-can-complete "false": as in Trellis, only the task\'s assignee or candidates complete it',
        );
      } else {
        this.ledger.element(x, 'not-run');
        this.unsupport(
          id,
          `initiator-can-complete "${clip(value, 20)}": Flowable lets the process's initiator complete this task`,
          'In Trellis only the task\'s assignee or candidates complete it: make the initiator one (assignee "=initiator.email").',
          false,
        );
      }
    }
    this.taskMappings(e, out);
    this.multiInstance(e, out);
  }

  /** An assignment attribute that did not translate: reported, and its source marked as not run. */
  private assignmentNotRun(
    e: ModdleElement,
    zeebe: ModdleElement | undefined,
    local: string,
    what: string,
    hint: string,
  ) {
    const engine = this.dialects.attr(e, local);
    if (engine) this.attrNotRun(e, engine, local);
    else if (zeebe) this.ledger.option(zeebe, local, 'not-run');
    this.unsupport(this.id(e), what, hint);
  }

  /**
   * `=starter` where the start event declares `initiator="starter"` means the user who started the
   * process: in Trellis that is `initiator.email` (the `initiator` variable holds more).
   */
  private starter(id: string, value: string): string {
    if (this.initiatorVariable === undefined || value !== `=${this.initiatorVariable}`) return value;
    this.note(id, `"${value}" (who started the process) → "=initiator.email"`);
    return '=initiator.email';
  }

  /**
   * A user or business rule task's inputs and outputs: Trellis's own (an export), Camunda 8 io
   * mappings and Camunda 7 input/output parameters (which also keep the submission or result
   * from the process when there are outputs: noted).
   */
  private taskMappings(e: ModdleElement, out: Json) {
    const id = out.id as string;
    const inputs: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    for (const m of this.dialects
      .extensions(e, ['trellis'])
      .filter((x) => /^mapping$/i.test(x.local))
      .map((x) => x.element)) {
      const target = text(m, 'target');
      const source = text(m, 'source');
      if (!target || source === undefined) continue;
      if (m.kind === 'input') inputs[target] = source;
      if (m.kind === 'output') outputs[target] = source;
    }
    const io = this.ioMappings(e, id);
    Object.assign(inputs, io.inputs);
    Object.assign(outputs, io.outputs);
    if (io.camundaOutputs) {
      const produced =
        out.type === 'userTask' ? 'the submitted variables' : `the result variable "${out.resultVariable as string}"`;
      this.note(
        id,
        `Camunda 7 also writes ${produced} to the process; with output parameters Trellis writes only the outputs (Camunda 8's rule): add an output for each variable the process reads later`,
      );
    }
    if (text(e, 'inputs') === 'none') out.inputs = {};
    if (text(e, 'outputs') === 'none') out.outputs = {};
    if (Object.keys(inputs).length > 0) out.inputs = inputs;
    if (Object.keys(outputs).length > 0) out.outputs = outputs;
  }

  /**
   * Camunda 8 io mappings and Camunda 7 input/output parameters, in FEEL, each accounted for. A
   * mapping that cannot run — a script, list or map, a target that is not a variable name, an
   * expression that does not translate — is reported and left out.
   */
  private ioMappings(
    e: ModdleElement,
    id: string,
    dialects: readonly ('zeebe' | 'camunda')[] = ['zeebe', 'camunda'],
  ): { inputs: Record<string, string>; outputs: Record<string, string>; camundaOutputs: boolean } {
    const inputs: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    let camundaOutputs = false;
    const io = dialects.includes('zeebe') ? this.dialects.extension(e, 'ioMapping', ['zeebe']) : undefined;
    for (const c of children(io ?? { $type: 'x' })) {
      const target = text(c.element, 'target');
      const source = text(c.element, 'source');
      const kind = c.local === 'input' ? 'input' : c.local === 'output' ? 'output' : undefined;
      const failed = () => this.ledger.element(c.element, 'not-run');
      if (!kind || !target || source === undefined) {
        this.unsupport(
          id,
          `zeebe:${c.local} in the io mapping has no ${!kind ? 'meaning Trellis knows' : !target ? 'target' : 'source'}`,
          'Give each mapping a source (FEEL) and a target variable.',
        );
        failed();
        continue;
      }
      if (!this.mappingTarget(id, `${kind} mapping`, target)) {
        failed();
        continue;
      }
      const feel = this.expression(
        id,
        `${kind} mapping of "${target}"`,
        source.startsWith('=') ? source : JSON.stringify(source),
        undefined,
        failed,
      );
      if (feel === undefined) continue;
      this.ledger.element(c.element, 'translated');
      if (kind === 'input') inputs[target] = feel;
      else outputs[target] = feel;
    }
    const inputOutput = dialects.includes('camunda')
      ? this.dialects.extension(e, 'inputOutput', ['camunda'])
      : undefined;
    for (const p of children(inputOutput ?? { $type: 'x' })) {
      const name = text(p.element, 'name');
      const kind = p.local === 'inputParameter' ? 'input' : p.local === 'outputParameter' ? 'output' : undefined;
      const failed = () => this.ledger.element(p.element, 'not-run');
      if (!kind || !name) {
        this.unsupport(
          id,
          `camunda:${p.local} in the input/output has no ${!kind ? 'meaning Trellis knows' : 'name'}`,
          'Give each parameter a name and a value.',
        );
        failed();
        continue;
      }
      const body = typeof p.element.$body === 'string' ? p.element.$body : undefined;
      if (body === undefined || (p.element.$children as unknown[] | undefined)?.length) {
        this.unsupport(
          id,
          `The ${p.local} "${name}" is a script, list or map`,
          'Write the mapping as a FEEL expression.',
        );
        failed();
        continue;
      }
      if (!this.mappingTarget(id, p.local, name)) {
        failed();
        continue;
      }
      const feel = this.expression(
        id,
        `${p.local} "${name}"`,
        /^[$#]\{/.test(body.trim()) ? body : JSON.stringify(body),
        undefined,
        failed,
      );
      if (feel === undefined) continue;
      this.ledger.element(p.element, 'translated');
      if (kind === 'input') inputs[name] = feel;
      else {
        outputs[name] = feel;
        camundaOutputs = true;
      }
    }
    // A container none of whose mappings runs is not run either.
    for (const container of [io, inputOutput]) {
      if (container && !children(container).some((c) => this.ledger.outcome(c.element, '') === 'translated'))
        this.ledger.element(container, 'not-run', []);
    }
    return { inputs, outputs, camundaOutputs };
  }

  /** Whether a mapping's target is a Trellis variable name; if not, the mapping is reported. */
  private mappingTarget(id: string, what: string, target: string): boolean {
    if (VARIABLE.test(target)) return true;
    this.unsupport(
      id,
      `The ${what} target "${clip(target, 100)}" is not a variable name Trellis keeps (letters, digits and "_", at most 64, no paths)`,
      'Rename the variable, and the expressions that read it.',
    );
    return false;
  }

  serviceTask(e: ModdleElement, out: Json) {
    out.type = 'serviceTask';
    this.jobTask(e, out);
    this.multiInstance(e, out);
  }

  /** What runs a service (or script) task: a Trellis job type, or vendor code reported. */
  private jobTask(e: ModdleElement, out: Json) {
    const id = out.id as string;
    const script = out.type === 'scriptTask';
    const set: Record<string, string> = {};
    const inputs: Record<string, string> = {};
    const settings: Record<string, string> = {};
    const taskType = text(e, 'taskType');
    if (taskType) out.taskType = taskType;
    if (typeof e.retries === 'number') out.retries = e.retries;
    const zeebeTask = this.dialects.extension(e, 'taskDefinition', ['zeebe']);
    const engineType = zeebeTask ? undefined : this.dialects.attr(e, 'type');
    const topic = zeebeTask ? undefined : this.dialects.attr(e, 'topic');
    if (zeebeTask && script) {
      this.ledger.element(zeebeTask, 'not-run');
      this.unsupport(
        id,
        `A job worker runs this script task (zeebe:taskDefinition type "${text(zeebeTask, 'type') ?? ''}")`,
        'Trellis script tasks run FEEL only: make it a service task with that job type, or write the script in FEEL.',
      );
    } else if (zeebeTask) {
      const type = this.vtext(zeebeTask, 'type') ?? '';
      out.taskType = jobType(type.replace(/^=/, ''));
      if (type.startsWith('=')) {
        this.ledger.option(zeebeTask, 'type', 'not-run');
        this.unsupport(id, `The job type is an expression (${type})`, 'Give the job type as text.');
      }
      const retriesText = this.vtext(zeebeTask, 'retries');
      const retries = Number(retriesText);
      if (Number.isInteger(retries) && retries >= 0 && retries <= 100) out.retries = retries;
      else if (retriesText !== undefined) {
        this.ledger.option(zeebeTask, 'retries', 'not-run');
        this.unsupport(
          id,
          `The job retries "${clip(retriesText, 100)}" are not a whole number from 0 to 100`,
          'Give the retries as a number; the default is 3.',
          false,
        );
      }
      this.note(id, `zeebe job type "${type}" → task type "${out.taskType as string}"`);
    } else if (engineType?.value === 'external' && topic && !script) {
      out.taskType = jobType(topic.value);
      this.note(id, `external task topic "${topic.value}" → task type "${out.taskType as string}"`);
    } else {
      if (topic) this.attrNotRun(e, topic, 'topic');
      const code =
        this.dialects.attr(e, 'class') ??
        this.dialects.attr(e, 'delegateExpression') ??
        this.dialects.attr(e, 'expression');
      if (code) {
        const local =
          code.value
            .replace(/^[$#]\{|\}$/g, '')
            .split(/[.(]/)
            .filter(Boolean)
            .pop() ?? id;
        if (!out.taskType && !script) out.taskType = jobType(local);
        const kind = this.dialects.attr(e, 'class')
          ? 'class'
          : this.dialects.attr(e, 'delegateExpression')
            ? 'delegateExpression'
            : 'expression';
        this.attrNotRun(e, code, kind);
        const label =
          kind === 'class' ? 'Java class' : kind === 'delegateExpression' ? 'delegate expression' : 'expression';
        const instead = script
          ? 'compute the result with FEEL in this script task'
          : `connect a connector or worker to task type "${out.taskType as string}", or compute the result with FEEL`;
        this.unsupport(
          id,
          `The ${label} "${clip(code.value, 200)}" implements this task.`,
          `Trellis never runs Java or EL code: ${instead}.`,
        );
        const resultVariable = script ? undefined : this.dialects.attr(e, 'resultVariable');
        if (resultVariable) {
          this.ledger.attribute(e, `${resultVariable.dialect}:resultVariable`, 'ignored');
          this.note(
            id,
            `${resultVariable.dialect}:resultVariable "${resultVariable.value}" ignored (the worker sets the variables it returns)`,
          );
        }
        for (const field of this.dialects
          .extensions(e, ['camunda', 'flowable', 'activiti'])
          .filter((x) => x.local === 'field')) {
          this.ledger.element(field.element, 'not-run');
          this.unsupport(
            id,
            `${field.dialect}:field "${text(field.element, 'name') ?? ''}" is injected into the ${label}`,
            'Give what the connector or worker needs as settings or inputs.',
            false,
          );
        }
      } else if (engineType?.value === 'external') {
        this.attrNotRun(e, engineType, 'type');
        this.unsupport(
          id,
          script ? 'An external task runs this script task' : 'An external task without a topic',
          script
            ? 'Trellis script tasks run FEEL only: write the script in FEEL.'
            : 'Give the task a task type for a connector or worker.',
        );
      } else if (engineType) {
        if (!script) out.taskType = jobType(engineType.value);
        this.attrNotRun(e, engineType, 'type');
        this.unsupport(
          id,
          `The built-in ${engineType.value} task of the source engine`,
          script
            ? 'Trellis script tasks run FEEL only: write the script in FEEL.'
            : `Configure a Trellis connector for task type "${out.taskType as string}".`,
        );
      }
    }
    for (const connector of this.dialects.extensions(e, ['camunda']).filter((x) => x.local === 'connector')) {
      const connectorId = children(connector.element).find((c) => c.local === 'connectorId')?.element.$body;
      if (!out.taskType && !script) out.taskType = jobType(String(connectorId ?? 'connector'));
      this.ledger.element(connector.element, 'not-run');
      this.unsupport(
        id,
        `The Camunda connector "${String(connectorId ?? '')}"`,
        `Configure a Trellis connector for task type "${(out.taskType as string | undefined) ?? jobType(String(connectorId ?? 'connector'))}".`,
      );
    }
    // Mappings: Trellis's own, Camunda 8 io mappings and headers, Camunda 7 input/output parameters.
    for (const m of this.dialects
      .extensions(e, ['trellis'])
      .filter((x) => x.local === 'Mapping' || x.local === 'mapping')
      .map((x) => x.element)) {
      const target = text(m, 'target');
      const source = text(m, 'source');
      if (!target || source === undefined) continue;
      if (m.kind === 'input') inputs[target] = source;
      else if (m.kind === 'set') set[target] = source;
    }
    for (const s of this.dialects
      .extensions(e, ['trellis'])
      .filter((x) => /^setting$/i.test(x.local))
      .map((x) => x.element)) {
      if (typeof s.name === 'string') settings[s.name] = text(s, 'value') ?? '';
    }
    const io = this.ioMappings(e, id);
    if (script && Object.keys(io.inputs).length > 0) {
      // A Trellis script task has no job, so nothing would receive them.
      for (const c of [
        ...children(this.dialects.extension(e, 'ioMapping', ['zeebe']) ?? { $type: 'x' }),
        ...children(this.dialects.extension(e, 'inputOutput', ['camunda']) ?? { $type: 'x' }),
      ]) {
        if (c.local === 'input' || c.local === 'inputParameter') this.ledger.element(c.element, 'not-run');
      }
      this.unsupport(
        id,
        `Input mappings on a script task (${Object.keys(io.inputs)
          .map((k) => `"${k}"`)
          .join(', ')})`,
        'A script task sees the process variables: write the script over them, or set the values first in the script itself.',
      );
    } else Object.assign(inputs, io.inputs);
    Object.assign(set, io.outputs);
    const headers = this.dialects.extension(e, 'taskHeaders', ['zeebe']);
    for (const h of children(headers ?? { $type: 'x' })) {
      const key = text(h.element, 'key');
      if (!script && key && /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(key)) {
        settings[key] = text(h.element, 'value') ?? '';
        this.ledger.element(h.element, 'translated');
      } else {
        this.ledger.element(h.element, 'not-run');
        this.unsupport(
          id,
          script
            ? `The task header "${clip(key ?? '', 64)}" of a script task`
            : `The task header "${clip(key ?? '', 64)}" is not a setting name (letters, digits, "_", "." and "-", at most 64)`,
          script ? 'A script task runs no job, so nothing reads its headers: remove it.' : 'Rename the header.',
          false,
        );
      }
    }
    if (Object.keys(inputs).length > 0) out.inputs = inputs;
    if (Object.keys(settings).length > 0) out.settings = settings;
    if (Object.keys(set).length > 0 || script) out.set = set;
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
    const engineResult = this.dialects.attr(e, 'resultVariable');
    const resultVariable = this.vtext(zeebe, 'resultVariable') ?? engineResult?.value;
    const body = this.vtext(zeebe, 'expression') ?? (typeof e.script === 'string' ? e.script : undefined);
    const resource = this.dialects.attr(e, 'resource');
    const failed = () => {
      if (zeebe) this.ledger.element(zeebe, 'not-run');
      if (engineResult) this.attrNotRun(e, engineResult, 'resultVariable');
    };
    if (body !== undefined && body.trim() !== '') {
      const isFeel = zeebe !== undefined || (format !== undefined && /feel/i.test(format));
      if (isFeel && resultVariable && VARIABLE.test(resultVariable)) {
        const feel = this.expression(id, 'script', body, 'feel', failed);
        if (feel !== undefined) set[resultVariable] = feel;
      } else {
        failed();
        this.unsupport(
          id,
          `A ${format ?? 'script'} script (${clip(body.trim().split('\n')[0] ?? '', 80)}…)`,
          'Trellis runs no scripts: set the variables with FEEL assignments in this script task.',
        );
      }
    } else if (resource) {
      this.attrNotRun(e, resource, 'resource');
      failed();
      this.unsupport(
        id,
        `A script read from "${resource.value}"`,
        'Trellis runs no scripts: set the variables with FEEL assignments in this script task.',
      );
    }
    out.set = set;
    this.multiInstance(e, out);
  }

  businessRuleTask(e: ModdleElement, out: Json) {
    out.type = 'businessRuleTask';
    const id = out.id as string;
    const job = this.dialects.extension(e, 'taskDefinition', ['zeebe']);
    if (job) {
      // A job worker evaluating the decision (Zeebe's DMN worker): Trellis evaluates decisions itself.
      const headers = this.dialects.extension(e, 'taskHeaders', ['zeebe']);
      const names = children(headers ?? { $type: 'x' }).map(
        (h) => `${text(h.element, 'key') ?? ''}="${clip(text(h.element, 'value') ?? '', 100)}"`,
      );
      this.ledger.element(job, 'not-run');
      if (headers) this.ledger.element(headers, 'not-run');
      this.unsupport(
        id,
        `A job worker of type "${text(job, 'type') ?? ''}" evaluates this decision${names.length > 0 ? ` (headers ${names.join(', ')})` : ''}`,
        'Trellis evaluates decision tables itself: name the table with zeebe:calledDecision (decisionId) and map its result with output mappings.',
      );
    }
    const zeebe = this.dialects.extension(e, 'calledDecision', ['zeebe']);
    if (zeebe)
      this.ignoreOptions(
        zeebe,
        id,
        'zeebe:calledDecision',
        ['bindingType', 'versionTag'],
        'Trellis evaluates the decisions published with the process version',
      );
    const engineRef = text(e, 'decisionRef') === undefined ? this.dialects.attr(e, 'decisionRef') : undefined;
    const decisionRef = text(e, 'decisionRef') ?? engineRef?.value ?? this.vtext(zeebe, 'decisionId');
    const engineResult = text(e, 'resultVariable') === undefined ? this.dialects.attr(e, 'resultVariable') : undefined;
    const resultVariable = text(e, 'resultVariable') ?? engineResult?.value ?? this.vtext(zeebe, 'resultVariable');
    const map = text(e, 'mapDecisionResult') ?? this.dialects.attr(e, 'mapDecisionResult')?.value;
    if (decisionRef && !/^[$#]\{|^=/.test(decisionRef)) out.decisionRef = decisionRef;
    else {
      out.decisionRef = id;
      if (engineRef) this.attrNotRun(e, engineRef, 'decisionRef');
      else if (zeebe && decisionRef) this.ledger.option(zeebe, 'decisionId', 'not-run');
      this.unsupport(
        id,
        decisionRef ? `The decision is chosen by an expression (${decisionRef})` : 'No decision table is named',
        'Name the decision table (decisionRef) this task evaluates.',
      );
    }
    out.resultVariable = resultVariable && VARIABLE.test(resultVariable) ? resultVariable : 'result';
    if (!resultVariable) this.note(id, 'no result variable: the result is stored in "result"');
    else if (!VARIABLE.test(resultVariable)) {
      if (engineResult) this.attrNotRun(e, engineResult, 'resultVariable');
      else if (zeebe) this.ledger.option(zeebe, 'resultVariable', 'not-run');
      this.unsupport(
        id,
        `The result variable "${clip(resultVariable, 100)}" is not a variable name Trellis keeps`,
        'Rename it (letters, digits and "_"); the result is stored in "result" meanwhile.',
      );
    }
    if (map === 'singleEntry' || map === 'singleResult' || map === 'collectEntries' || map === 'resultList')
      out.mapDecisionResult = map;
    else if (map !== undefined) {
      this.attrNotRun(e, this.dialects.attr(e, 'mapDecisionResult'), 'mapDecisionResult');
      this.unsupport(
        id,
        `The decision result mapping "${clip(map, 100)}" is not one Trellis knows`,
        'Use singleEntry, singleResult, collectEntries or resultList.',
      );
    } else if (zeebe) {
      out.mapDecisionResult = 'singleEntry';
      this.note(
        id,
        'Camunda 8 decision result → mapDecisionResult "singleEntry" (check it for tables with several outputs or a collect hit policy)',
      );
    }
    this.taskMappings(e, out);
    this.multiInstance(e, out);
  }

  callActivity(e: ModdleElement, out: Json) {
    out.type = 'callActivity';
    const id = out.id as string;
    const zeebe = this.dialects.extension(e, 'calledElement', ['zeebe']);
    if (zeebe)
      this.ignoreOptions(
        zeebe,
        id,
        'zeebe:calledElement',
        ['bindingType', 'versionTag'],
        'Trellis starts the published version of the called process',
      );
    const called =
      (typeof e.calledElement === 'string' ? e.calledElement : undefined) ?? this.vtext(zeebe, 'processId');
    if (called && !/^[$#]\{|^=/.test(called)) {
      out.calledElement = toKey(called);
      if (out.calledElement !== called)
        this.note(id, `called process "${called}" → key "${out.calledElement as string}"`);
    } else {
      out.calledElement = toKey(id);
      if (zeebe && called) this.ledger.option(zeebe, 'processId', 'not-run');
      this.unsupport(
        id,
        called ? `The called process is chosen by an expression (${called})` : 'No called process is named',
        'Name the process this call activity starts.',
      );
    }
    const inputs: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    const inherit = this.dialects.attr(e, 'inheritVariables', ['flowable', 'activiti']);
    const parentVariables = this.vtext(zeebe, 'propagateAllParentVariables');
    let allIn = inherit?.value === 'true';
    let allOut = zeebe ? this.vtext(zeebe, 'propagateAllChildVariables') !== 'false' : false;
    let explicitOut = false;
    for (const m of this.dialects
      .extensions(e, ['trellis'])
      .filter((x) => /^mapping$/i.test(x.local))
      .map((x) => x.element)) {
      const target = text(m, 'target');
      const source = text(m, 'source');
      if (!target || source === undefined) continue;
      if (m.kind === 'input') inputs[target] = source;
      if (m.kind === 'output') outputs[target] = source;
    }
    const engineMappings = this.dialects
      .extensions(e, ['camunda', 'flowable', 'activiti'])
      .filter((x) => x.local === 'in' || x.local === 'out');
    for (const ext of engineMappings) {
      const m = ext.element;
      const failed = () => this.ledger.element(m, 'not-run');
      if (text(m, 'variables') === 'all') {
        if (ext.local === 'in') allIn = true;
        else allOut = true;
        this.ledger.element(m, 'translated');
        if (text(m, 'local') === 'true')
          this.note(
            id,
            `${ext.dialect}:${ext.local} variables="all" local="true": Trellis passes all variables (it has no local ones)`,
          );
        continue;
      }
      if (text(m, 'businessKey') !== undefined) {
        failed();
        this.unsupport(
          id,
          `${ext.dialect}:in passes the business key "${clip(text(m, 'businessKey')!, 100)}" to the called process`,
          'Trellis names each instance by its own business key: pass the value as an input and name the called process by it.',
          false,
        );
        continue;
      }
      const target = text(m, 'target');
      const source = text(m, 'source') ?? text(m, 'sourceExpression');
      if (!target || !source) {
        failed();
        this.unsupport(
          id,
          `${ext.dialect}:${ext.local} without a ${!target ? 'target' : 'source'}`,
          'Give each mapping a source and a target variable.',
        );
        continue;
      }
      if (!this.mappingTarget(id, `${ext.local} mapping`, target)) {
        failed();
        continue;
      }
      const feel = text(m, 'sourceExpression')
        ? this.expression(id, `${ext.local} mapping of "${target}"`, source, undefined, failed)
        : VARIABLE.test(source)
          ? source
          : this.expression(id, `${ext.local} mapping of "${target}"`, source, undefined, failed);
      if (feel === undefined) continue;
      this.ledger.element(m, 'translated');
      if (ext.local === 'in') inputs[target] = feel;
      else {
        outputs[target] = feel;
        explicitOut = true;
      }
    }
    const io = this.ioMappings(e, id, ['zeebe']);
    if (Object.keys(io.outputs).length > 0) explicitOut = true;
    Object.assign(inputs, io.inputs);
    Object.assign(outputs, io.outputs);
    if (text(e, 'inputs') === 'none') out.inputs = {};
    if (text(e, 'outputs') === 'none') out.outputs = {};
    if (Object.keys(inputs).length > 0 && !allIn) out.inputs = inputs;
    if (allIn && Object.keys(inputs).length > 0)
      this.note(id, 'all variables are passed to the child (variables="all"); the other input mappings add nothing');
    if (explicitOut || (Object.keys(outputs).length > 0 && !allOut)) out.outputs = outputs;
    // Camunda 7 passes nothing without mappings, nor Camunda 8 when told not to; Trellis passes everything when none are given.
    if (
      !allIn &&
      Object.keys(inputs).length === 0 &&
      ((zeebe && parentVariables === 'false') || (!zeebe && engineMappings.length > 0))
    )
      out.inputs = {};
    if (
      !allOut &&
      !explicitOut &&
      Object.keys(outputs).length === 0 &&
      (zeebe !== undefined || engineMappings.length > 0)
    )
      out.outputs = {};
    this.multiInstance(e, out);
  }

  sendTask(e: ModdleElement, out: Json) {
    out.type = 'sendTask';
    const id = out.id as string;
    const message = e.messageRef as ModdleElement | undefined;
    const name =
      this.messageName(message) ?? (typeof e.name === 'string' && e.name.trim() ? clip(e.name.trim(), 200) : id);
    if (!message) this.note(id, `no message is referenced: the message is named "${name}"`);
    const payload: Record<string, string> = {};
    for (const m of this.dialects
      .extensions(e, ['trellis'])
      .filter((x) => /^mapping$/i.test(x.local))
      .map((x) => x.element)) {
      if (m.kind === 'payload' && typeof m.target === 'string' && typeof m.source === 'string')
        payload[m.target] = m.source;
    }
    out.message = { name, ...(Object.keys(payload).length > 0 ? { payload } : {}) };
    const engineCode = (['class', 'delegateExpression', 'expression', 'type'] as const)
      .map((k) => [k, this.dialects.attr(e, k)] as const)
      .filter(([, v]) => v !== undefined);
    const job = this.dialects.extension(e, 'taskDefinition', ['zeebe']);
    for (const [k, v] of engineCode) this.attrNotRun(e, v, k);
    const topic = this.dialects.attr(e, 'topic');
    if (topic) this.attrNotRun(e, topic, 'topic');
    if (job) this.ledger.element(job, 'not-run');
    if (engineCode.length > 0 || job)
      this.unsupport(
        id,
        'Vendor code (a class, expression or job) sends this message',
        'Trellis sends the message itself; connect a connector to its name if it must leave the company.',
      );
    this.multiInstance(e, out);
  }

  receiveTask(e: ModdleElement, out: Json) {
    out.type = 'receiveTask';
    const message = e.messageRef as ModdleElement | undefined;
    out.message = {
      name: this.messageName(message) ?? (out.id as string),
      ...this.correlation(e, message),
      ...sendableBy(e),
    };
    if (!message) this.note(out.id as string, `no message is referenced: the message is named "${out.id as string}"`);
    this.multiInstance(e, out);
  }

  private messageName(message: ModdleElement | undefined): string | undefined {
    if (!message) return undefined;
    const name = typeof message.name === 'string' && message.name.trim() ? message.name.trim() : message.id;
    if (typeof name !== 'string') return undefined;
    if (name.startsWith('=') || /^[$#]\{/.test(name))
      this.unsupport(
        message.id ?? 'message',
        `The message name is an expression (${name})`,
        'Give the message a fixed name.',
      );
    return clip(name, 200);
  }

  private correlation(e: ModdleElement, message: ModdleElement | undefined): { correlationKey?: string } {
    const own = text(e, 'correlationKey');
    if (own) return { correlationKey: own };
    const subscription = message ? this.dialects.extension(message, 'subscription', ['zeebe']) : undefined;
    const key = this.vtext(subscription, 'correlationKey');
    if (!key) return {};
    const feel = this.expression(
      e.id ?? 'message',
      'correlation key',
      key,
      undefined,
      () => subscription && this.ledger.option(subscription, 'correlationKey', 'not-run'),
    );
    return feel === undefined ? {} : { correlationKey: feel };
  }

  manualTask(_e: ModdleElement, out: Json) {
    out.type = 'manualTask';
  }

  task(e: ModdleElement, out: Json) {
    out.type = 'task';
    if (e.loopCharacteristics)
      this.unsupport(
        out.id as string,
        'A loop on a plain task',
        'Make it a user or service task to run it several times.',
      );
  }

  subProcess(e: ModdleElement, out: Json) {
    out.type = 'subProcess';
    if (e.triggeredByEvent === true) out.triggeredByEvent = true;
    if (e.$type === 'bpmn:Transaction')
      this.unsupport(
        out.id as string,
        'A transaction (cancel and compensation semantics)',
        'It is imported as a plain subprocess; model cancellation with error events.',
      );
    if (e.$type === 'bpmn:AdHocSubProcess')
      this.unsupport(
        out.id as string,
        'An ad-hoc subprocess (steps in any order)',
        'It is imported as a plain subprocess; model the order with gateways.',
      );
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
    this.vendorCommon(loop, id);
    if (loop.$type === 'bpmn:StandardLoopCharacteristics') {
      this.unsupport(
        id,
        'A standard loop (repeat while a condition holds)',
        'Model the repetition with an exclusive gateway and a flow back, or use multi-instance.',
      );
      this.ledger.subtree(loop, 'not-run');
      return;
    }
    const mi: Json = {};
    if (loop.isSequential === true) mi.sequential = true;
    const zeebe = this.dialects.extension(loop, 'loopCharacteristics', ['zeebe']);
    const zeebeFailed = (key: string) => () => zeebe && this.ledger.option(zeebe, key, 'not-run');
    const engineCollection =
      text(loop, 'collection') === undefined ? this.dialects.attr(loop, 'collection') : undefined;
    const collection = text(loop, 'collection') ?? engineCollection?.value ?? this.vtext(zeebe, 'inputCollection');
    if (collection) {
      const failed = engineCollection
        ? () => this.attrNotRun(loop, engineCollection, 'collection')
        : zeebeFailed('inputCollection');
      const feel = text(loop, 'collection')
        ? collection
        : this.expression(id, 'multi-instance collection', collection, undefined, failed);
      if (feel !== undefined) mi.collection = feel;
    }
    const cardinality = loop.loopCardinality as ModdleElement | undefined;
    if (!mi.collection && cardinality && typeof cardinality.body === 'string') {
      const feel = this.expression(id, 'loop cardinality', cardinality.body, text(cardinality, 'language'));
      if (feel !== undefined) mi.cardinality = feel;
    }
    const engineElement =
      text(loop, 'elementVariable') === undefined ? this.dialects.attr(loop, 'elementVariable') : undefined;
    const element = text(loop, 'elementVariable') ?? engineElement?.value ?? this.vtext(zeebe, 'inputElement');
    if (element && VARIABLE.test(element)) mi.elementVariable = element;
    else if (element) {
      if (engineElement) this.attrNotRun(loop, engineElement, 'elementVariable');
      else zeebeFailed('inputElement')();
      this.unsupport(
        id,
        `The multi-instance element variable "${clip(element, 100)}" is not a variable name Trellis keeps`,
        'Rename it (letters, digits and "_"); each run sees its item as "item" meanwhile.',
      );
    }
    const completion = loop.completionCondition as ModdleElement | undefined;
    if (completion && typeof completion.body === 'string') {
      const feel = this.expression(id, 'completion condition', completion.body, text(completion, 'language'));
      if (feel !== undefined) mi.completionCondition = feel;
    }
    const outputCollection = text(loop, 'outputCollection') ?? this.vtext(zeebe, 'outputCollection');
    if (outputCollection && VARIABLE.test(outputCollection)) mi.outputCollection = outputCollection;
    else if (outputCollection) {
      zeebeFailed('outputCollection')();
      this.unsupport(
        id,
        `The multi-instance output collection "${clip(outputCollection, 100)}" is not a variable name Trellis keeps`,
        'Rename it (letters, digits and "_").',
      );
    }
    const outputElement = text(loop, 'outputElement') ?? this.vtext(zeebe, 'outputElement');
    if (outputElement) {
      const feel = text(loop, 'outputElement')
        ? outputElement
        : this.expression(id, 'output element', outputElement, undefined, zeebeFailed('outputElement'));
      if (feel !== undefined) mi.outputElement = feel;
    }
    if (mi.collection === undefined && mi.cardinality === undefined) {
      this.unsupport(
        id,
        'Multi-instance without a collection or cardinality',
        'Say what it runs once per item of (a FEEL list) or how many times.',
      );
    }
    out.multiInstance = mi;
  }

  gateway(type: string) {
    return (e: ModdleElement, out: Json) => {
      out.type = type;
      if ((type === 'exclusiveGateway' || type === 'inclusiveGateway') && e.default) out.default = this.ref(e.default);
      if (e.$type === 'bpmn:ComplexGateway')
        this.unsupport(
          out.id as string,
          'A complex gateway',
          'It is imported as an inclusive gateway; use exclusive, inclusive or parallel gateways.',
        );
    };
  }

  // ---- events -------------------------------------------------------------------------------

  startEvent(e: ModdleElement, out: Json) {
    out.type = 'startEvent';
    const event = this.eventDefinition(e, ['timer', 'message', 'signal', 'error', 'escalation', 'conditional']);
    if (event) out.event = event;
    if (e.isInterrupting === false) out.interrupting = false;
    // The main process's none start event gives the start form (run); another's form shows nowhere.
    if (e !== this.mainStart) {
      const formKey = this.formKey(e);
      if (formKey) {
        const engine = this.dialects.attr(e, 'formKey');
        if (engine) this.ledger.attribute(e, `${engine.dialect}:formKey`, 'ignored');
        const zeebe = this.dialects.extension(e, 'formDefinition', ['zeebe']);
        if (zeebe) this.ledger.element(zeebe, 'ignored');
        this.note(
          out.id as string,
          `start form "${formKey}" ignored (only the start event that starts the process shows a form)`,
        );
      }
    }
  }

  endEvent(e: ModdleElement, out: Json) {
    out.type = 'endEvent';
    const outcome = text(e, 'outcome');
    if (outcome) out.outcome = outcome;
    const defs = list(e.eventDefinitions);
    if (defs.some((d) => d.$type === 'bpmn:TerminateEventDefinition')) out.terminate = true;
    const event = this.eventDefinition(
      e,
      ['error', 'escalation', 'message', 'signal'],
      ['bpmn:TerminateEventDefinition'],
    );
    if (event) out.event = event;
  }

  intermediateCatchEvent(e: ModdleElement, out: Json) {
    out.type = 'intermediateCatchEvent';
    const event = this.eventDefinition(e, ['timer', 'message', 'signal', 'link', 'conditional']);
    if (event) out.event = event;
    else {
      out.type = 'intermediateThrowEvent';
      this.note(
        out.id as string,
        'a catch event with no event definition passes through, as a none intermediate event',
      );
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
    const event = this.eventDefinition(e, [
      'timer',
      'message',
      'signal',
      'error',
      'escalation',
      'conditional',
      'cancel',
    ]);
    if (event) out.event = event;
    else if (list(e.eventDefinitions).length === 0 && list(e.eventDefinitionRefs).length === 0)
      this.unsupport(
        out.id as string,
        'A boundary event that does not say what it waits for',
        'Choose what it waits for (timer, message, signal, error or escalation).',
      );
  }

  /** The element's one event definition in Trellis form; others (or more than one) are reported. */
  private eventDefinition(e: ModdleElement, allowed: string[], ignored: string[] = []): Json | undefined {
    const id = this.id(e);
    const defs = list(e.eventDefinitions).filter((d) => !ignored.includes(d.$type));
    if (list(e.eventDefinitionRefs).length > 0)
      this.unsupport(
        id,
        'Event definitions referenced from the root of the file',
        'Define the event inside the element.',
      );
    if (defs.length === 0) return undefined;
    if (defs.length > 1)
      this.unsupport(
        id,
        `${defs.length} event definitions on one event (multiple or parallel multiple)`,
        'Use one event per trigger.',
      );
    const d = defs[0]!;
    const kind = d.$type
      .slice('bpmn:'.length)
      .replace(/EventDefinition$/, '')
      .toLowerCase();
    // What waits for the event (start, catch, boundary) may say who sends it; a throw sends it itself.
    const catching = allowed.includes('timer') || e.$type === 'bpmn:IntermediateCatchEvent';
    if (!allowed.includes(kind)) {
      this.unsupport(
        id,
        `A ${kind} event definition on a ${e.$type.slice(5)}`,
        kind === 'compensate'
          ? 'Compensation events are not supported; model the undo steps explicitly.'
          : kind === 'cancel'
            ? 'Cancel events belong to transactions, which Trellis does not run; model the cancellation with error events.'
            : 'Use an event kind Trellis supports here.',
      );
      return undefined;
    }
    switch (kind) {
      case 'timer': {
        const timer: Json = { kind: 'timer' };
        for (const [field, prop] of [
          ['duration', 'timeDuration'],
          ['date', 'timeDate'],
          ['cycle', 'timeCycle'],
        ] as const) {
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
        if (set.length === 0)
          this.unsupport(
            id,
            'A timer that does not say when it fires',
            'Give it a duration (P2D), a date or a cycle (R3/PT10H).',
          );
        return timer;
      }
      case 'message': {
        const message = d.messageRef as ModdleElement | undefined;
        const name =
          this.messageName(message) ?? (typeof e.name === 'string' && e.name.trim() ? clip(e.name.trim(), 200) : id);
        if (!message) this.note(id, `no message is referenced: the message is named "${name}"`);
        return { kind: 'message', name, ...(catching ? { ...this.correlation(d, message), ...sendableBy(d) } : {}) };
      }
      case 'signal': {
        const signal = d.signalRef as ModdleElement | undefined;
        const name =
          (typeof signal?.name === 'string' && signal.name.trim() ? signal.name.trim() : signal?.id) ??
          (typeof e.name === 'string' && e.name.trim() ? e.name.trim() : id);
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
      case 'cancel':
        this.unsupport(
          id,
          'A cancel boundary event',
          'Cancel events belong to transactions, which Trellis does not run (a transaction imports as a plain subprocess that is never cancelled); model the cancellation with an error end event and an error boundary event.',
        );
        return { kind: 'cancel' };
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
    const dropped = (a: ModdleElement) =>
      this.unsupport(
        this.id(a),
        'A data association that does not link a data object or store (e.g. a process input or output)',
        'It is not kept.',
        false,
      );
    for (const a of list(e.dataInputAssociations)) {
      const source = list(a.sourceRef)[0];
      if (source && isData(source))
        out.push({ id: this.id(a), type: 'dataAssociation', direction: 'input', activity, data: this.id(source) });
      else dropped(a);
    }
    for (const a of list(e.dataOutputAssociations)) {
      const target = a.targetRef as ModdleElement | undefined;
      if (target && isData(target))
        out.push({ id: this.id(a), type: 'dataAssociation', direction: 'output', activity, data: this.id(target) });
      else dropped(a);
    }
    return out;
  }

  private artifact(a: ModdleElement): Artifact | null {
    switch (a.$type) {
      case 'bpmn:TextAnnotation':
        return {
          id: this.id(a),
          type: 'textAnnotation',
          ...(typeof a.text === 'string' ? { text: clip(a.text, 10_000) } : {}),
        };
      case 'bpmn:Association': {
        const source = this.ref(a.sourceRef);
        const target = this.ref(a.targetRef);
        if (!source || !target) return null;
        const direction = a.associationDirection;
        return {
          id: this.id(a),
          type: 'association',
          source,
          target,
          ...(direction === 'One' || direction === 'Both' ? { direction } : {}),
        };
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
        return {
          id: this.id(l),
          ...(name ? { name } : {}),
          elements: list(l.flowNodeRef).map((n) => this.id(n)),
          ...(inner.length > 0 ? { lanes: inner } : {}),
        };
      });
    const all = sets.flatMap((s) => lanesOf(s));
    return all.length > 0 ? all : undefined;
  }

  private collaboration(c: ModdleElement): Json {
    const name = this.name(c);
    const artifacts = list(c.artifacts)
      .map((a) => this.artifact(a))
      .filter((a): a is Artifact => a !== null);
    for (const child of ['conversations', 'conversationLinks', 'choreographyRef', 'correlationKeys'] as const) {
      if (list(c[child]).length > 0)
        this.unsupport(this.id(c), `Collaboration ${child}`, 'Conversations and choreographies are not kept.', false);
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
          diagram.edges[id] = {
            waypoints: list(di.waypoint).map((p) => [num(p.x), num(p.y)] as [number, number]),
            ...(labelBounds ? { label: labelBounds } : {}),
          };
        }
      }
      out.push(diagram);
    }
    return out;
  }
}

type Translator = (this: Importer, e: ModdleElement, out: Json) => void;

/** Where vendor variable mappings run: Camunda 7 input/output parameters, Camunda 8 io mappings. */
const MAPPED = {
  camunda: new Set(['serviceTask', 'scriptTask', 'userTask', 'businessRuleTask']),
  zeebe: new Set(['serviceTask', 'scriptTask', 'userTask', 'businessRuleTask', 'callActivity']),
};

const COMMITS = 'Trellis commits every step before the next, and runs jobs in the order they come';
const ENGINE_VERSIONS = 'Trellis starts the published version of what it calls';
const TEMPLATES = "element templates shape only the modeler's properties panel";
/** Vendor attributes (and a few elements) that change nothing in Trellis: noted as ignored, with the reason. */
const IGNORED: Record<string, string> = {
  async: COMMITS,
  asyncBefore: COMMITS,
  asyncAfter: COMMITS,
  exclusive: COMMITS,
  jobPriority: COMMITS,
  taskPriority: COMMITS,
  failedJobRetryTimeCycle: 'retries are set per service task (its retries), not as a time cycle',
  historyTimeToLive: "Trellis keeps an instance's history as long as the company keeps its records",
  versionTag: 'Trellis numbers the versions of a definition itself',
  isStartableInTasklist: 'a member may start any process its startableBy allows: set startableBy to narrow it',
  executionPlatform: 'it names the engine the file was modelled for',
  executionPlatformVersion: 'it names the engine the file was modelled for',
  calledElementBinding: ENGINE_VERSIONS,
  calledElementVersion: ENGINE_VERSIONS,
  calledElementVersionTag: ENGINE_VERSIONS,
  calledElementTenantId: ENGINE_VERSIONS,
  decisionRefBinding: 'Trellis evaluates the decisions published with the process version',
  decisionRefVersion: 'Trellis evaluates the decisions published with the process version',
  decisionRefVersionTag: 'Trellis evaluates the decisions published with the process version',
  decisionRefTenantId: 'Trellis evaluates the decisions published with the process version',
  modelerTemplate: TEMPLATES,
  modelerTemplateVersion: TEMPLATES,
  modelerTemplateIcon: TEMPLATES,
  errorMessage: 'a Trellis error carries its code; the message is for people and is not kept',
  diagramRelationId: "it links the file to Camunda's modeler",
};

/** What to do about a vendor feature nobody translated, by its local name. */
const HINTS: Record<string, string> = {
  errorCodeVariable:
    "Trellis does not put a caught error's code in a variable: have the thrower pass what the handler needs in the error's variables.",
  errorMessageVariable:
    "Trellis does not put a caught error's message in a variable: have the thrower pass what the handler needs in the error's variables.",
  escalationCodeVariable:
    "Trellis does not put a caught escalation's code in a variable: pass what the handler needs in its variables.",
  variableName: 'Trellis does not run conditional events: wait for a message or a timer instead.',
  variableEvents: 'Trellis does not run conditional events: wait for a message or a timer instead.',
  taskDefinition:
    'Trellis runs jobs only for service tasks: make it a service task with this job type, or name what the task does the Trellis way.',
  taskHeaders:
    "Task headers become the settings of a service task's connector; elsewhere nothing reads them: remove them, or make the step a service task.",
};

const DIALECT_NAMES: Record<VendorDialect, string> = {
  camunda: 'Camunda 7',
  zeebe: 'Camunda 8',
  flowable: 'Flowable',
  activiti: 'Activiti',
  modeler: 'Camunda Modeler',
  flowableModeler: 'Flowable Modeler',
};

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
  const texts = list(e?.documentation)
    .map((d) => (typeof d.text === 'string' ? d.text.trim() : ''))
    .filter(Boolean);
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
    .map((d) => ({
      plane: d.plane,
      shapes: Object.fromEntries(Object.entries(d.shapes).filter(([id]) => ids.has(id))),
      edges: Object.fromEntries(Object.entries(d.edges).filter(([id]) => ids.has(id))),
    }));
}

function processIdOf(p: ModdleElement): string {
  return typeof p.id === 'string' ? p.id : 'process';
}

function isData(e: ModdleElement): boolean {
  return (
    e.$type === 'bpmn:DataObjectReference' ||
    e.$type === 'bpmn:DataStoreReference' ||
    e.$type === 'bpmn:DataObject' ||
    isProcessData(e)
  );
}

/** A process's own input or output (its ioSpecification), not a task's. */
function isProcessData(e: ModdleElement): boolean {
  const io = e.$parent as ModdleElement | undefined;
  return (
    (e.$type === 'bpmn:DataInput' || e.$type === 'bpmn:DataOutput') &&
    (io?.$parent as ModdleElement | undefined)?.$type === 'bpmn:Process'
  );
}

/**
 * A Trellis task type for a job type, topic or class name from elsewhere: its dotted parts kept,
 * each made a key (`erp.createPayment` → `erp.create-payment`, `ArchiveInvoiceService` →
 * `archive-invoice-service`, Camunda 8's `io.camunda:http-json:1` → `io.camunda-http-json-1`).
 */
function jobType(name: string): string {
  const key = name
    .split('.')
    .map((part) => toKey(part, ''))
    .filter((part) => part !== '')
    .join('.')
    .slice(0, 64)
    .replace(/\.+$/, '');
  if (key === '') return 'job';
  return /^[a-z]/.test(key) ? key : `job-${key}`.slice(0, 64).replace(/\.+$/, '');
}
