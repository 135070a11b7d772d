/**
 * The canonical JSON definition → BPMN 2.0 XML with diagram (DI), readable by bpmn-js and other
 * modelers. What BPMN leaves open goes into the `trellis:` extension namespace, so importing the
 * export gives the same definition back. A definition without a diagram gets one laid out by
 * bpmn-auto-layout. Pure: data in, XML text out.
 */
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle, type ModdleInstance } from 'bpmn-moddle';
import {
  processDefinitionSchema,
  type Artifact,
  type Diagram,
  type Element,
  type Lane,
  type LocalizedText,
  type MultiInstance,
  type PoolProcess,
  type ProcessDefinition,
  type ProcessDefinitionInput,
  type SendableBy,
  type SequenceFlow,
} from '../model/definition';
import { FEEL_LANGUAGE } from './dialects';
import { diagramsOf } from './import';
import { trellisModdle } from './trellis-moddle';

type Moddle = ReturnType<ModdleInstance['create']>;

export interface ExportOptions {
  /** Lay the diagram out anew even when the definition has one. */
  relayout?: boolean;
}

export async function exportBpmn(
  input: ProcessDefinition | ProcessDefinitionInput,
  options: ExportOptions = {},
): Promise<string> {
  const definition = processDefinitionSchema.parse(input);
  if (!definition.diagrams?.length || options.relayout) {
    // Lay out the semantic model alone, then write the whole export with that picture.
    const bare = await new Writer({ ...definition, diagrams: [] }).xml();
    const diagrams = await diagramsOf(await layoutProcess(bare));
    return new Writer({ ...definition, diagrams }).xml();
  }
  return new Writer(definition).xml();
}

class Writer {
  private readonly moddle = BpmnModdle({ trellis: trellisModdle });
  private readonly objects = new Map<string, Moddle>();
  private readonly roots: Moddle[] = [];
  private readonly rootIds = new Set<string>();
  private readonly messages = new Map<string, Moddle>();
  private readonly signals = new Map<string, Moddle>();
  private readonly errors = new Map<string, Moddle>();
  private readonly escalations = new Map<string, Moddle>();
  private readonly dataStores = new Map<string, Moddle>();
  /** References resolved once every element exists. */
  private readonly pending: (() => void)[] = [];

  constructor(private readonly definition: ProcessDefinition) {}

  async xml(): Promise<string> {
    const d = this.definition;
    const processId = d.processId ?? d.key;
    const definitions = this.create('bpmn:Definitions', {
      id: `Definitions_${processId}`.slice(0, 100),
      targetNamespace: 'https://trellis.dev/processes',
      exporter: 'Trellis',
      exporterVersion: '1',
    });
    const main = this.process(
      { id: processId, name: d.name, elements: d.elements, flows: d.flows, artifacts: d.artifacts, lanes: d.lanes },
      true,
    );
    for (const k of ['key', 'category', 'startForm', 'businessKey'] as const)
      if (d[k] !== undefined) main.set(`trellis:${k}`, d[k]);
    main.set('trellis:version', d.version);
    if (d.startableBy?.groups?.length) main.set('trellis:startableBy', d.startableBy.groups.join(', '));
    if (d.startableBy?.roles?.length) main.set('trellis:startableByRoles', d.startableBy.roles.join(', '));
    if (d.summary?.length) main.set('trellis:summary', d.summary.join(', '));
    if (d.description !== undefined) {
      main.documentation = [
        this.create('bpmn:Documentation', {
          text:
            typeof d.description === 'string' ? d.description : (d.description.en ?? Object.values(d.description)[0]),
        }),
      ];
      if (typeof d.description !== 'string') this.translations(main, d.description, 'description');
    }
    for (const issue of d.importIssues ?? [])
      this.extend(
        main,
        this.create('trellis:ImportIssue', { elementId: issue.elementId, what: issue.what, hint: issue.hint }),
      );
    const pools = (d.pools ?? []).map((p) => this.process(p, false));
    let collaboration: Moddle | undefined;
    if (d.collaboration) {
      const c = d.collaboration;
      collaboration = this.create('bpmn:Collaboration', { id: c.id });
      this.name(collaboration, c.name);
      collaboration.participants = c.participants.map((p) => {
        const participant = this.create('bpmn:Participant', { id: p.id });
        this.name(participant, p.name);
        if (p.process) this.later(() => (participant.processRef = this.objects.get(p.process!)));
        return participant;
      });
      collaboration.messageFlows = c.messageFlows.map((m) => {
        const flow = this.create('bpmn:MessageFlow', { id: m.id });
        this.name(flow, m.name);
        this.later(() => {
          flow.sourceRef = this.objects.get(m.source);
          flow.targetRef = this.objects.get(m.target);
        });
        return flow;
      });
      const artifacts = this.artifacts(c.artifacts ?? [], collaboration);
      if (artifacts.length > 0) collaboration.artifacts = artifacts;
    }
    for (const resolve of this.pending) resolve();
    definitions.rootElements = [...this.roots, ...(collaboration ? [collaboration] : []), main, ...pools];
    definitions.diagrams = (d.diagrams ?? [])
      .map((diagram) => this.diagram(diagram))
      .filter((x): x is Moddle => x !== null);
    const { xml } = await this.moddle.toXML(definitions, { format: true });
    return xml;
  }

  private create(type: string, attrs: Record<string, unknown> = {}): Moddle {
    const element = this.moddle.create(type, attrs);
    if (typeof attrs.id === 'string' && !type.startsWith('bpmndi:') && type !== 'bpmn:Definitions')
      this.objects.set(attrs.id, element);
    return element;
  }

  private later(resolve: () => void) {
    this.pending.push(resolve);
  }

  private extend(element: Moddle, ...values: Moddle[]) {
    if (!element.extensionElements) element.extensionElements = this.create('bpmn:ExtensionElements', { values: [] });
    element.extensionElements.values.push(...values);
  }

  /** `name` holds one text (English where there is one); every locale also as a translation. */
  private name(element: Moddle, name: LocalizedText | undefined) {
    if (name === undefined) return;
    if (typeof name === 'string') element.name = name;
    else {
      element.name = name.en ?? Object.values(name)[0];
      this.translations(element, name, 'name');
    }
  }

  private translations(element: Moddle, text: Record<string, string>, of: string) {
    for (const [lang, value] of Object.entries(text))
      this.extend(element, this.create('trellis:Translation', { lang, ...(of === 'name' ? {} : { of }), text: value }));
  }

  private common(element: Moddle, e: { name?: LocalizedText; documentation?: string }) {
    this.name(element, e.name);
    if (e.documentation) element.documentation = [this.create('bpmn:Documentation', { text: e.documentation })];
  }

  private expression(body: string, feel = true): Moddle {
    return this.create('bpmn:FormalExpression', { body, ...(feel ? { language: FEEL_LANGUAGE } : {}) });
  }

  private mapping(kind: string, map: Record<string, string> | undefined): Moddle[] {
    return Object.entries(map ?? {}).map(([target, source]) =>
      this.create('trellis:Mapping', { kind, target, source }),
    );
  }

  private rootId(prefix: string, name: string): string {
    let id = `${prefix}_${name.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 90);
    for (let n = 2; this.rootIds.has(id) || this.objects.has(id); n++)
      id = `${prefix}_${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}_${n}`;
    this.rootIds.add(id);
    return id;
  }

  private shared(
    map: Map<string, Moddle>,
    type: string,
    prefix: string,
    name: string,
    attrs: (id: string) => Record<string, unknown>,
  ): Moddle {
    let element = map.get(name);
    if (!element) {
      const id = this.rootId(prefix, name);
      element = this.moddle.create(type, { id, ...attrs(id) });
      map.set(name, element);
      this.roots.push(element);
    }
    return element;
  }

  /** The data store a reference points to, under its original id where that is free. */
  private dataStore(id: string): Moddle {
    let store = this.dataStores.get(id);
    if (!store) {
      const free = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(id) && !this.objects.has(id) && !this.rootIds.has(id);
      const storeId = free ? id : this.rootId('DataStore', id);
      this.rootIds.add(storeId);
      store = this.moddle.create('bpmn:DataStore', { id: storeId });
      this.dataStores.set(id, store);
      this.roots.push(store);
    }
    return store;
  }

  private message(name: string): Moddle {
    return this.shared(this.messages, 'bpmn:Message', 'Message', name, () => ({ name }));
  }

  // ---- processes ----------------------------------------------------------------------------

  private process(
    p: Pick<PoolProcess, 'id' | 'name' | 'elements' | 'flows' | 'artifacts' | 'lanes' | 'documentation'>,
    executable: boolean,
  ): Moddle {
    const process = this.create('bpmn:Process', { id: p.id, isExecutable: executable });
    this.common(process, p);
    const io = (p.artifacts ?? []).filter((a) => a.type === 'dataInput' || a.type === 'dataOutput');
    this.scope(
      process,
      p.elements,
      p.flows,
      (p.artifacts ?? []).filter((a) => !io.includes(a)),
    );
    if (io.length > 0) process.ioSpecification = this.ioSpecification(p.id, io);
    if (p.lanes?.length) process.laneSets = [this.laneSet(`LaneSet_${p.id}`, p.lanes)];
    return process;
  }

  private scope(container: Moddle, elements: Element[], flows: SequenceFlow[], artifacts: Artifact[]) {
    const flowElements: Moddle[] = elements.map((e) => this.element(e));
    for (const f of flows) flowElements.push(this.flow(f));
    // Data objects and stores are flow elements in BPMN; notes, links and groups are artifacts.
    const isData = (a: Artifact) =>
      a.type === 'dataObject' ||
      a.type === 'dataObjectReference' ||
      a.type === 'dataStoreReference' ||
      a.type === 'dataInput' ||
      a.type === 'dataOutput';
    flowElements.push(...this.artifacts(artifacts.filter(isData), container));
    container.flowElements = flowElements;
    const rest = this.artifacts(
      artifacts.filter((a) => !isData(a)),
      container,
    );
    if (rest.length > 0) container.artifacts = rest;
  }

  /** The process's own inputs and outputs, with the input and output sets BPMN requires. */
  private ioSpecification(processId: string, io: Artifact[]): Moddle {
    const make = (a: Artifact) => {
      if (a.type !== 'dataInput' && a.type !== 'dataOutput') throw new Error(`not process data: ${a.type}`);
      return this.named(
        this.create(a.type === 'dataInput' ? 'bpmn:DataInput' : 'bpmn:DataOutput', {
          id: a.id,
          ...(a.isCollection ? { isCollection: true } : {}),
        }),
        a.name,
      );
    };
    const dataInputs = io.filter((a) => a.type === 'dataInput').map(make);
    const dataOutputs = io.filter((a) => a.type === 'dataOutput').map(make);
    const id = (suffix: string) => `${processId}_${suffix}`.slice(0, 100);
    return this.moddle.create('bpmn:InputOutputSpecification', {
      id: id('io'),
      dataInputs,
      dataOutputs,
      inputSets: [this.moddle.create('bpmn:InputSet', { id: id('inputs'), dataInputRefs: dataInputs })],
      outputSets: [this.moddle.create('bpmn:OutputSet', { id: id('outputs'), dataOutputRefs: dataOutputs })],
    });
  }

  private laneSet(id: string, lanes: Lane[]): Moddle {
    return this.create('bpmn:LaneSet', {
      id,
      lanes: lanes.map((l) => {
        const lane = this.create('bpmn:Lane', { id: l.id });
        this.name(lane, l.name);
        this.later(() => (lane.flowNodeRef = l.elements.map((e) => this.objects.get(e)).filter(Boolean)));
        if (l.lanes?.length) lane.childLaneSet = this.laneSet(`LaneSet_${l.id}`, l.lanes);
        return lane;
      }),
    });
  }

  private flow(f: SequenceFlow): Moddle {
    const flow = this.create('bpmn:SequenceFlow', { id: f.id });
    this.common(flow, f);
    if (f.condition !== undefined) flow.conditionExpression = this.expression(f.condition);
    this.later(() => {
      const source = this.objects.get(f.source);
      const target = this.objects.get(f.target);
      flow.sourceRef = source;
      flow.targetRef = target;
      if (source) (source.outgoing ??= []).push(flow);
      if (target) (target.incoming ??= []).push(flow);
    });
    return flow;
  }

  private artifacts(artifacts: Artifact[], container: Moddle): Moddle[] {
    const out: Moddle[] = [];
    for (const a of artifacts) {
      switch (a.type) {
        case 'textAnnotation':
          out.push(this.create('bpmn:TextAnnotation', { id: a.id, ...(a.text !== undefined ? { text: a.text } : {}) }));
          break;
        case 'association': {
          const association = this.create('bpmn:Association', {
            id: a.id,
            ...(a.direction ? { associationDirection: a.direction } : {}),
          });
          this.later(() => {
            association.sourceRef = this.objects.get(a.source);
            association.targetRef = this.objects.get(a.target);
          });
          out.push(association);
          break;
        }
        case 'group': {
          const group = this.create('bpmn:Group', { id: a.id });
          if (a.name !== undefined) {
            const text = typeof a.name === 'string' ? a.name : (a.name.en ?? Object.values(a.name)[0] ?? '');
            const value = this.moddle.create('bpmn:CategoryValue', { id: `${a.id}_value`.slice(0, 100), value: text });
            this.roots.push(
              this.moddle.create('bpmn:Category', { id: `${a.id}_category`.slice(0, 100), categoryValue: [value] }),
            );
            group.categoryValueRef = value;
          }
          out.push(group);
          break;
        }
        case 'dataObject':
          out.push(
            this.named(
              this.create('bpmn:DataObject', { id: a.id, ...(a.isCollection ? { isCollection: true } : {}) }),
              a.name,
            ),
          );
          break;
        case 'dataObjectReference': {
          const ref = this.named(this.create('bpmn:DataObjectReference', { id: a.id }), a.name);
          if (a.dataObject) this.later(() => (ref.dataObjectRef = this.objects.get(a.dataObject!)));
          out.push(ref);
          break;
        }
        case 'dataStoreReference': {
          const ref = this.named(this.create('bpmn:DataStoreReference', { id: a.id }), a.name);
          if (a.dataStore) ref.dataStoreRef = this.dataStore(a.dataStore);
          out.push(ref);
          break;
        }
        case 'dataAssociation':
          this.later(() => {
            const activity = this.objects.get(a.activity);
            const data = this.objects.get(a.data);
            if (!activity || !data) return;
            if (a.direction === 'input') {
              const property = this.moddle.create('bpmn:Property', {
                id: `${a.id}_target`.slice(0, 100),
                name: '__targetRef_placeholder',
              });
              (activity.properties ??= []).push(property);
              (activity.dataInputAssociations ??= []).push(
                this.create('bpmn:DataInputAssociation', { id: a.id, sourceRef: [data], targetRef: property }),
              );
            } else {
              (activity.dataOutputAssociations ??= []).push(
                this.create('bpmn:DataOutputAssociation', { id: a.id, targetRef: data }),
              );
            }
          });
          break;
      }
    }
    void container;
    return out;
  }

  private named(element: Moddle, name: LocalizedText | undefined): Moddle {
    this.name(element, name);
    return element;
  }

  // ---- elements -----------------------------------------------------------------------------

  private element(e: Element): Moddle {
    const write = ELEMENTS[e.type] as (this: Writer, e: Element) => Moddle;
    const element = write.call(this, e);
    this.common(element, e);
    return element;
  }

  startEvent(e: Extract<Element, { type: 'startEvent' }>): Moddle {
    const element = this.create('bpmn:StartEvent', {
      id: e.id,
      ...(e.interrupting === false ? { isInterrupting: false } : {}),
    });
    if (e.event) element.eventDefinitions = [this.eventDefinition(e.event)];
    return element;
  }

  endEvent(e: Extract<Element, { type: 'endEvent' }>): Moddle {
    const element = this.create('bpmn:EndEvent', { id: e.id });
    if (e.outcome) element.set('trellis:outcome', e.outcome);
    const defs: Moddle[] = [];
    if (e.event) defs.push(this.eventDefinition(e.event));
    if (e.terminate) defs.push(this.create('bpmn:TerminateEventDefinition', {}));
    if (defs.length > 0) element.eventDefinitions = defs;
    return element;
  }

  intermediateCatchEvent(e: Extract<Element, { type: 'intermediateCatchEvent' }>): Moddle {
    return this.create('bpmn:IntermediateCatchEvent', { id: e.id, eventDefinitions: [this.eventDefinition(e.event)] });
  }

  intermediateThrowEvent(e: Extract<Element, { type: 'intermediateThrowEvent' }>): Moddle {
    return this.create('bpmn:IntermediateThrowEvent', {
      id: e.id,
      ...(e.event ? { eventDefinitions: [this.eventDefinition(e.event)] } : {}),
    });
  }

  boundaryEvent(e: Extract<Element, { type: 'boundaryEvent' }>): Moddle {
    const element = this.create('bpmn:BoundaryEvent', {
      id: e.id,
      ...(e.cancelActivity === false ? { cancelActivity: false } : {}),
      ...(e.event ? { eventDefinitions: [this.eventDefinition(e.event)] } : {}),
    });
    this.later(() => {
      const host = this.objects.get(e.attachedTo);
      element.attachedToRef = host;
      if (host) (host.boundaryEventRefs ??= []).push(element);
    });
    return element;
  }

  private eventDefinition(
    event: NonNullable<
      Extract<
        Element,
        { type: 'boundaryEvent' | 'startEvent' | 'endEvent' | 'intermediateCatchEvent' | 'intermediateThrowEvent' }
      >['event']
    >,
  ): Moddle {
    switch (event.kind) {
      case 'timer': {
        const timer = this.create('bpmn:TimerEventDefinition', {});
        if (event.duration !== undefined) timer.timeDuration = this.expression(event.duration, false);
        if (event.date !== undefined) timer.timeDate = this.expression(event.date, false);
        if (event.cycle !== undefined) timer.timeCycle = this.expression(event.cycle, false);
        return timer;
      }
      case 'message': {
        const definition = this.create('bpmn:MessageEventDefinition', { messageRef: this.message(event.name) });
        if (event.correlationKey !== undefined) definition.set('trellis:correlationKey', event.correlationKey);
        if ('sendableBy' in event) setSendableBy(definition, event.sendableBy);
        return definition;
      }
      case 'signal': {
        const definition = this.create('bpmn:SignalEventDefinition', {
          signalRef: this.shared(this.signals, 'bpmn:Signal', 'Signal', event.name, () => ({ name: event.name })),
        });
        if ('sendableBy' in event) setSendableBy(definition, event.sendableBy);
        return definition;
      }
      case 'error':
        return this.create(
          'bpmn:ErrorEventDefinition',
          event.code === undefined
            ? {}
            : {
                errorRef: this.shared(this.errors, 'bpmn:Error', 'Error', event.code, () => ({
                  name: event.code,
                  errorCode: event.code,
                })),
              },
        );
      case 'escalation':
        return this.create(
          'bpmn:EscalationEventDefinition',
          event.code === undefined
            ? {}
            : {
                escalationRef: this.shared(this.escalations, 'bpmn:Escalation', 'Escalation', event.code, () => ({
                  name: event.code,
                  escalationCode: event.code,
                })),
              },
        );
      case 'link':
        return this.create('bpmn:LinkEventDefinition', { name: event.name });
      case 'conditional':
        return this.create('bpmn:ConditionalEventDefinition', { condition: this.expression(event.condition) });
      case 'cancel':
        return this.create('bpmn:CancelEventDefinition', {});
    }
  }

  userTask(e: Extract<Element, { type: 'userTask' }>): Moddle {
    const element = this.create('bpmn:UserTask', { id: e.id });
    if (e.formKey !== undefined) element.set('trellis:formKey', e.formKey);
    if (e.candidateGroups !== undefined)
      element.set(
        'trellis:candidateGroups',
        Array.isArray(e.candidateGroups) ? e.candidateGroups.join(', ') : e.candidateGroups,
      );
    if (e.candidateRole !== 'member') element.set('trellis:candidateRole', e.candidateRole);
    if (e.candidateUsers !== undefined)
      element.set(
        'trellis:candidateUsers',
        Array.isArray(e.candidateUsers) ? e.candidateUsers.join(', ') : e.candidateUsers,
      );
    if (e.assignee !== undefined) element.set('trellis:assignee', e.assignee);
    if (e.dueDate !== undefined) element.set('trellis:dueDate', e.dueDate);
    if (e.priority !== undefined) element.set('trellis:priority', String(e.priority));
    if (e.separationOfDuties?.notInitiator !== undefined)
      element.set('trellis:notInitiator', e.separationOfDuties.notInitiator);
    if (e.separationOfDuties?.notCompletedBy !== undefined)
      element.set('trellis:notCompletedBy', e.separationOfDuties.notCompletedBy.join(', '));
    this.taskMappings(element, e);
    this.loop(element, e.multiInstance);
    return element;
  }

  serviceTask(e: Extract<Element, { type: 'serviceTask' }>): Moddle {
    const element = this.create('bpmn:ServiceTask', { id: e.id });
    if (e.taskType !== undefined) element.set('trellis:taskType', e.taskType);
    if (e.retries !== undefined) element.set('trellis:retries', e.retries);
    const settings = Object.entries(e.settings ?? {}).map(([name, value]) =>
      this.create('trellis:Setting', { name, value }),
    );
    const values = [...settings, ...this.mapping('input', e.inputs), ...this.mapping('set', e.set)];
    if (values.length > 0) this.extend(element, ...values);
    this.loop(element, e.multiInstance);
    return element;
  }

  scriptTask(e: Extract<Element, { type: 'scriptTask' }>): Moddle {
    const element = this.create('bpmn:ScriptTask', { id: e.id });
    const values = this.mapping('set', e.set);
    if (values.length > 0) this.extend(element, ...values);
    this.loop(element, e.multiInstance);
    return element;
  }

  businessRuleTask(e: Extract<Element, { type: 'businessRuleTask' }>): Moddle {
    const element = this.create('bpmn:BusinessRuleTask', { id: e.id });
    element.set('trellis:decisionRef', e.decisionRef);
    element.set('trellis:resultVariable', e.resultVariable);
    element.set('trellis:mapDecisionResult', e.mapDecisionResult);
    this.taskMappings(element, e);
    this.loop(element, e.multiInstance);
    return element;
  }

  /** A user or business rule task's inputs and outputs; `none` keeps an empty map (empty outputs: nothing reaches the process). */
  private taskMappings(element: Moddle, e: { inputs?: Record<string, string>; outputs?: Record<string, string> }) {
    if (e.inputs && Object.keys(e.inputs).length === 0) element.set('trellis:inputs', 'none');
    if (e.outputs && Object.keys(e.outputs).length === 0) element.set('trellis:outputs', 'none');
    const values = [...this.mapping('input', e.inputs), ...this.mapping('output', e.outputs)];
    if (values.length > 0) this.extend(element, ...values);
  }

  callActivity(e: Extract<Element, { type: 'callActivity' }>): Moddle {
    const element = this.create('bpmn:CallActivity', { id: e.id, calledElement: e.calledElement });
    if (e.inputs && Object.keys(e.inputs).length === 0) element.set('trellis:inputs', 'none');
    if (e.outputs && Object.keys(e.outputs).length === 0) element.set('trellis:outputs', 'none');
    const values = [...this.mapping('input', e.inputs), ...this.mapping('output', e.outputs)];
    if (values.length > 0) this.extend(element, ...values);
    this.loop(element, e.multiInstance);
    return element;
  }

  sendTask(e: Extract<Element, { type: 'sendTask' }>): Moddle {
    const element = this.create('bpmn:SendTask', { id: e.id, messageRef: this.message(e.message.name) });
    const values = this.mapping('payload', e.message.payload);
    if (values.length > 0) this.extend(element, ...values);
    this.loop(element, e.multiInstance);
    return element;
  }

  receiveTask(e: Extract<Element, { type: 'receiveTask' }>): Moddle {
    const element = this.create('bpmn:ReceiveTask', { id: e.id, messageRef: this.message(e.message.name) });
    if (e.message.correlationKey !== undefined) element.set('trellis:correlationKey', e.message.correlationKey);
    setSendableBy(element, e.message.sendableBy);
    this.loop(element, e.multiInstance);
    return element;
  }

  plain(type: string) {
    return (e: Element): Moddle => this.create(type, { id: e.id });
  }

  gateway(type: string, e: Element): Moddle {
    const element = this.create(type, { id: e.id });
    const fallback = 'default' in e ? e.default : undefined;
    if (fallback) this.later(() => (element.default = this.objects.get(fallback)));
    return element;
  }

  subProcess(e: Extract<Element, { type: 'subProcess' }>): Moddle {
    const element = this.create('bpmn:SubProcess', {
      id: e.id,
      ...(e.triggeredByEvent ? { triggeredByEvent: true } : {}),
    });
    this.scope(element, e.elements, e.flows, e.artifacts ?? []);
    this.loop(element, e.multiInstance);
    return element;
  }

  private loop(element: Moddle, mi: MultiInstance | undefined) {
    if (!mi) return;
    const loop = this.create('bpmn:MultiInstanceLoopCharacteristics', {
      ...(mi.sequential ? { isSequential: true } : {}),
    });
    if (mi.collection !== undefined) loop.set('trellis:collection', mi.collection);
    if (mi.cardinality !== undefined) loop.loopCardinality = this.expression(mi.cardinality);
    if (mi.elementVariable !== 'item') loop.set('trellis:elementVariable', mi.elementVariable);
    if (mi.completionCondition !== undefined) loop.completionCondition = this.expression(mi.completionCondition);
    if (mi.outputCollection !== undefined) loop.set('trellis:outputCollection', mi.outputCollection);
    if (mi.outputElement !== undefined) loop.set('trellis:outputElement', mi.outputElement);
    element.loopCharacteristics = loop;
  }

  // ---- diagram ------------------------------------------------------------------------------

  private readonly diIds = new Set<string>();

  private diId(id: string): string {
    let di = `${id}_di`.slice(0, 100);
    for (let n = 2; this.diIds.has(di); n++) di = `${id.slice(0, 90)}_di_${n}`;
    this.diIds.add(di);
    return di;
  }

  private diagram(d: Diagram): Moddle | null {
    const owner = this.objects.get(d.plane);
    if (!owner) return null;
    const bounds = (b: { x: number; y: number; width: number; height: number }) =>
      this.moddle.create('dc:Bounds', { x: b.x, y: b.y, width: b.width, height: b.height });
    const planeElement: Moddle[] = [];
    for (const [id, s] of Object.entries(d.shapes)) {
      const element = this.objects.get(id);
      if (!element) continue;
      const shape = this.moddle.create('bpmndi:BPMNShape', {
        id: this.diId(id),
        bpmnElement: element,
        bounds: bounds(s),
      });
      if (s.isExpanded !== undefined) shape.isExpanded = s.isExpanded;
      if (s.isHorizontal !== undefined) shape.isHorizontal = s.isHorizontal;
      if (s.isMarkerVisible !== undefined) shape.isMarkerVisible = s.isMarkerVisible;
      if (s.label) shape.label = this.moddle.create('bpmndi:BPMNLabel', { bounds: bounds(s.label) });
      planeElement.push(shape);
    }
    for (const [id, edgeDi] of Object.entries(d.edges)) {
      const element = this.objects.get(id);
      if (!element) continue;
      const edge = this.moddle.create('bpmndi:BPMNEdge', {
        id: this.diId(id),
        bpmnElement: element,
        waypoint: edgeDi.waypoints.map(([x, y]) => this.moddle.create('dc:Point', { x, y })),
      });
      if (edgeDi.label) edge.label = this.moddle.create('bpmndi:BPMNLabel', { bounds: bounds(edgeDi.label) });
      planeElement.push(edge);
    }
    const plane = this.moddle.create('bpmndi:BPMNPlane', {
      id: `BPMNPlane_${d.plane}`.slice(0, 100),
      bpmnElement: owner,
      planeElement,
    });
    return this.moddle.create('bpmndi:BPMNDiagram', { id: `BPMNDiagram_${d.plane}`.slice(0, 100), plane });
  }
}

/** Element type → writer; aliases share one. */
const ELEMENTS: { [T in Element['type']]: (this: Writer, e: Extract<Element, { type: T }>) => Moddle } = {
  startEvent: Writer.prototype.startEvent,
  endEvent: Writer.prototype.endEvent,
  intermediateCatchEvent: Writer.prototype.intermediateCatchEvent,
  intermediateThrowEvent: Writer.prototype.intermediateThrowEvent,
  boundaryEvent: Writer.prototype.boundaryEvent,
  userTask: Writer.prototype.userTask,
  serviceTask: Writer.prototype.serviceTask,
  scriptTask: Writer.prototype.scriptTask,
  businessRuleTask: Writer.prototype.businessRuleTask,
  callActivity: Writer.prototype.callActivity,
  sendTask: Writer.prototype.sendTask,
  receiveTask: Writer.prototype.receiveTask,
  subProcess: Writer.prototype.subProcess,
  manualTask(e) {
    return this.plain('bpmn:ManualTask')(e);
  },
  task(e) {
    return this.plain('bpmn:Task')(e);
  },
  exclusiveGateway(e) {
    return this.gateway('bpmn:ExclusiveGateway', e);
  },
  inclusiveGateway(e) {
    return this.gateway('bpmn:InclusiveGateway', e);
  },
  parallelGateway(e) {
    return this.gateway('bpmn:ParallelGateway', e);
  },
  eventBasedGateway(e) {
    return this.gateway('bpmn:EventBasedGateway', e);
  },
};

/** Who may send what the element waits for: trellis:sendableBy (departments) and trellis:sendableByRoles (roles). */
function setSendableBy(element: Moddle, by: SendableBy | undefined) {
  if (by?.groups?.length) element.set('trellis:sendableBy', by.groups.join(', '));
  if (by?.roles?.length) element.set('trellis:sendableByRoles', by.roles.join(', '));
}
