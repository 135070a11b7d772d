/**
 * The importer never drops a vendor feature silently (issue 15). For every BPMN file of the corpus
 * and of the repository's fixtures, this walks the file on its own — every element, every
 * attribute and extension element of the Camunda 7, Camunda 8, Camunda Modeler, Flowable and
 * Activiti namespaces, and everything nested in them — and checks that:
 * - the import's report accounts for each one, with the element it belongs to (`extensions`);
 * - what is not run is in `unsupported`, and what is ignored has its reason in `translated`;
 * - the outcomes, feature by feature, are the committed ones (OUTCOMES): a translation removed
 *   or a feature newly dropped changes a count and fails here;
 * - each feature reported as translated shows in the definition (SHOWS), e.g. a user task's
 *   output mapping is among its outputs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importBpmn, type BpmnImport } from '@/engine/bpmn/import';
import { readBpmn, type ModdleElement } from '@/engine/bpmn/read';
import type { ProcessDefinitionInput } from '@/engine/model/definition';
import { bpmnFiles, CORPUS } from '../support/corpus';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FILES = [
  ...bpmnFiles(CORPUS),
  ...['engine', 'definitions', 'test/cli/fixtures', 'test/conformance'].flatMap((dir) =>
    bpmnFiles(path.join(ROOT, dir)),
  ),
].map((f) => path.relative(ROOT, f));

/** The vendor namespaces, as their vendors publish them (independent of the importer's tables). */
const VENDORS: Record<string, string> = {
  'http://camunda.org/schema/1.0/bpmn': 'camunda',
  'http://camunda.org/schema/zeebe/1.0': 'zeebe',
  'http://camunda.org/schema/modeler/1.0': 'modeler',
  'http://flowable.org/bpmn': 'flowable',
  'http://flowable.org/modeler': 'flowableModeler',
  'http://activiti.org/bpmn': 'activiti',
};

interface Found {
  elementId: string;
  /** The BPMN type of the element it belongs to, e.g. `userTask`. */
  on: string;
  name: string;
  /** The vendor element (or, for a vendor attribute of a BPMN element, that element). */
  node: ModdleElement;
  value?: string;
}

/** Every vendor feature of a file, found by walking its moddle tree. */
function vendorFeatures(definitions: ModdleElement): Found[] {
  const rootPrefixes = new Map<string, string | null>();
  for (const [k, v] of Object.entries((definitions.$attrs ?? {}) as Record<string, string>))
    if (k.startsWith('xmlns:')) rootPrefixes.set(k.slice(6), VENDORS[v] ?? null);
  const vendorOf = (qualified: string, on?: ModdleElement): string | null => {
    const [prefix, local] = qualified.split(':');
    if (!local || prefix === 'xmlns') return null;
    const declared = on?.[`xmlns:${prefix}`];
    if (typeof declared === 'string') return VENDORS[declared] ? `${VENDORS[declared]}:${local}` : null;
    if (rootPrefixes.has(prefix!)) return rootPrefixes.get(prefix!) ? `${rootPrefixes.get(prefix!)}:${local}` : null;
    return Object.values(VENDORS).includes(prefix!) ? `${prefix}:${local}` : null;
  };
  const found: Found[] = [];
  const walkVendor = (v: ModdleElement, owner: { id: string; on: string }, name: string) => {
    found.push({
      elementId: owner.id,
      on: owner.on,
      name,
      node: v,
      ...(typeof v.$body === 'string' ? { value: v.$body } : {}),
    });
    for (const [k, value] of Object.entries(v)) {
      if (k.startsWith('$') || k.startsWith('xmlns') || !['string', 'number', 'boolean'].includes(typeof value))
        continue;
      found.push({ elementId: owner.id, on: owner.on, name: `${name}@${k}`, node: v, value: String(value) });
    }
    for (const c of (v.$children ?? []) as ModdleElement[])
      walkVendor(c, owner, `${name}/${vendorOf(c.$type, c) ?? c.$type}`);
  };
  const walk = (e: ModdleElement, owner: { id: string; on: string }) => {
    // Parts (event definitions, loops, expressions) belong to their element; anything else with an id owns what it carries.
    const owns =
      typeof e.id === 'string' && e.id !== '' && !/(EventDefinition|LoopCharacteristics|Expression)$/.test(e.$type);
    const own = owns ? { id: e.id!, on: e.$type.slice(5, 6).toLowerCase() + e.$type.slice(6) } : owner;
    for (const [k, value] of Object.entries((e.$attrs ?? {}) as Record<string, unknown>)) {
      const name = vendorOf(k);
      if (name) found.push({ elementId: own.id, on: own.on, name, node: e, value: String(value) });
    }
    for (const x of ((e.extensionElements as ModdleElement | undefined)?.values ?? []) as ModdleElement[]) {
      const name = vendorOf(x.$type, x);
      if (name) walkVendor(x, own, name);
    }
    const properties =
      (e.$descriptor as { propertiesByName?: Record<string, { isReference?: boolean }> }).propertiesByName ?? {};
    for (const [k, value] of Object.entries(e)) {
      if (k.startsWith('$') || ['extensionElements', 'diagrams', 'di'].includes(k) || properties[k]?.isReference)
        continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child === 'object' && String((child as ModdleElement).$type).startsWith('bpmn:'))
          walk(child as ModdleElement, own);
      }
    }
  };
  walk(definitions, {
    id: typeof definitions.id === 'string' && definitions.id !== '' ? definitions.id : 'definitions',
    on: 'definitions',
  });
  return found;
}

type Json = Record<string, unknown>;
/** Every element of the definition by id: subprocesses' and pools' included. */
function elementsById(definition: ProcessDefinitionInput): Map<string, Json> {
  const out = new Map<string, Json>();
  const add = (list: unknown) => {
    for (const e of (list ?? []) as Json[]) {
      out.set(e.id as string, e);
      add(e.elements);
    }
  };
  add(definition.elements);
  for (const p of definition.pools ?? []) add(p.elements);
  return out;
}

interface Imported {
  result: BpmnImport;
  found: Found[];
}
const files = new Map<string, Imported>();

beforeAll(async () => {
  for (const file of FILES) {
    const xml = readFileSync(path.join(ROOT, file), 'utf8');
    const result = await importBpmn(xml);
    // Ids the import renamed (they are not Trellis ids) are reported under their new names.
    const renamed = new Map(
      result.report.translated.flatMap((t) =>
        [...t.what.matchAll(/^id "(.+)" renamed "(.+)"/g)].map((m) => [m[1]!, m[2]!] as const),
      ),
    );
    const found = vendorFeatures((await readBpmn(xml)).definitions).map((f) => ({
      ...f,
      elementId: renamed.get(f.elementId) ?? f.elementId,
    }));
    files.set(file, { result, found });
  }
});

const outcomeOf = (imported: Imported, f: Found, index: number) => {
  // The n-th feature of a name on an element is the n-th of the report's, in document order.
  const same = imported.found.filter((g) => g.elementId === f.elementId && g.name === f.name);
  const reported = imported.result.report.extensions.filter((x) => x.elementId === f.elementId && x.name === f.name);
  return reported[same.indexOf(f)]?.outcome ?? `missing (${index})`;
};

describe('the BPMN import accounts for every vendor feature', () => {
  it('covers the corpus and the fixtures, Camunda 7, Camunda 8 and Flowable among them', () => {
    expect(FILES.length).toBeGreaterThan(30);
    const names = new Set([...files.values()].flatMap((f) => f.found.map((x) => x.name.split(':')[0])));
    expect([...names].sort()).toEqual(['activiti', 'camunda', 'flowable', 'flowableModeler', 'modeler', 'zeebe']);
  });

  it.each(FILES)('%s: each feature is in the report, with the element it belongs to', (file) => {
    // given the file's vendor features, found by walking it
    const { result, found } = files.get(file)!;
    // then the report lists exactly those, element by element
    const key = (x: { elementId: string; name: string }) => `${x.elementId} ${x.name}`;
    expect(result.report.extensions.map(key).sort()).toEqual(found.map(key).sort());
    // and says why for each one that is not translated
    const unsupported = new Set(result.report.unsupported.map((u) => u.elementId));
    const noted = new Set(result.report.translated.map((t) => t.elementId));
    for (const x of result.report.extensions) {
      if (x.outcome === 'not-run')
        expect(
          unsupported.has(x.elementId),
          `${x.name} on "${x.elementId}" is not run, and unsupported does not name the element`,
        ).toBe(true);
      if (x.outcome === 'ignored')
        expect(
          noted.has(x.elementId),
          `${x.name} on "${x.elementId}" is ignored, and translated does not say why`,
        ).toBe(true);
    }
  });

  it('gives each feature the committed outcome (a translation removed, or a feature dropped, changes a count here)', () => {
    // given every feature of every file, by name and the type of element it is on
    const actual: Record<string, Record<string, number>> = {};
    for (const imported of files.values()) {
      imported.found.forEach((f, i) => {
        if (/\/.*@/.test(f.name)) return; // attributes of nested elements go with their element
        const outcome = outcomeOf(imported, f, i);
        const row = (actual[`${f.name} on ${f.on}`] ??= {});
        row[outcome] = (row[outcome] ?? 0) + 1;
      });
    }
    // then
    expect(actual).toEqual(OUTCOMES);
  });

  it('shows each translated feature in the definition', () => {
    const unchecked = new Set<string>();
    for (const [file, imported] of files) {
      const definition = imported.result.definition;
      const elements = elementsById(definition);
      imported.found.forEach((f, i) => {
        if (outcomeOf(imported, f, i) !== 'translated') return;
        const local = f.name.replace(/^\w+:/, '').replace(/\/\w+:/g, '/');
        const shows = SHOWS[local];
        if (shows === undefined) {
          if (!CARRIED.has(local)) unchecked.add(f.name);
          return;
        }
        const element = elements.get(f.elementId) ?? {};
        const where = `${file}: ${f.name} on "${f.elementId}" is reported as translated, but the definition does not show it`;
        expect(shows({ element, definition, node: f.node, value: f.value }), where).toBe(true);
      });
    }
    // every translated feature has a check here, or is carried by one that has
    expect([...unchecked].sort()).toEqual([]);
  });
});

type Shows = (x: { element: Json; definition: ProcessDefinitionInput; node: ModdleElement; value?: string }) => boolean;
const attr = (node: ModdleElement, name: string) =>
  typeof node[name] === 'string' ? (node[name] as string) : undefined;
const has = (map: unknown, key: string | undefined) =>
  key !== undefined && typeof map === 'object' && map !== null && key in map;
const mi = (element: Json) => (element.multiInstance ?? {}) as Json;

/**
 * What a translated feature puts in the definition, by local name (`ioMapping/output`, `dueDate`,
 * `taskSchedule@dueDate`), whichever dialect it comes from.
 */
const SHOWS: Record<string, Shows> = {
  // variable mappings (user, business rule, service, script tasks; call activities)
  'ioMapping/input': ({ element, node }) => has(element.inputs, attr(node, 'target')),
  'ioMapping/output': ({ element, node }) => has(element.outputs ?? element.set, attr(node, 'target')),
  'inputOutput/inputParameter': ({ element, node }) => has(element.inputs, attr(node, 'name')),
  'inputOutput/outputParameter': ({ element, node }) => has(element.outputs ?? element.set, attr(node, 'name')),
  in: ({ element, node }) =>
    attr(node, 'variables') === 'all' ? element.inputs === undefined : has(element.inputs, attr(node, 'target')),
  out: ({ element, node }) =>
    attr(node, 'variables') === 'all' ? element.outputs === undefined : has(element.outputs, attr(node, 'target')),
  // user tasks
  userTask: ({ element }) => element.type === 'userTask',
  formKey: ({ element, definition }) =>
    element.formKey !== undefined || (element.type === 'startEvent' && definition.startForm !== undefined),
  'formDefinition@formId': ({ element, definition }) =>
    element.formKey !== undefined || definition.startForm !== undefined,
  'formDefinition@formKey': ({ element, definition }) =>
    element.formKey !== undefined || definition.startForm !== undefined,
  'formDefinition@externalReference': ({ element, definition }) =>
    element.formKey !== undefined || definition.startForm !== undefined,
  assignee: ({ element }) => element.assignee !== undefined,
  'assignmentDefinition@assignee': ({ element }) => element.assignee !== undefined,
  candidateGroups: ({ element }) => element.candidateGroups !== undefined,
  'assignmentDefinition@candidateGroups': ({ element }) => element.candidateGroups !== undefined,
  candidateUsers: ({ element }) => element.candidateUsers !== undefined,
  'assignmentDefinition@candidateUsers': ({ element }) => element.candidateUsers !== undefined,
  dueDate: ({ element }) => element.dueDate !== undefined,
  'taskSchedule@dueDate': ({ element }) => element.dueDate !== undefined,
  priority: ({ element }) => element.priority !== undefined,
  'priorityDefinition@priority': ({ element }) => element.priority !== undefined,
  'initiator-can-complete': ({ element }) => element.type === 'userTask' && element.separationOfDuties === undefined,
  // business rule tasks
  decisionRef: ({ element, value }) => element.decisionRef === value,
  'calledDecision@decisionId': ({ element, value }) => element.decisionRef === value,
  resultVariable: ({ element, value }) => element.resultVariable === value || has(element.set, value),
  'calledDecision@resultVariable': ({ element, value }) => element.resultVariable === value,
  mapDecisionResult: ({ element, value }) => element.mapDecisionResult === value,
  // service and script tasks
  'taskDefinition@type': ({ element }) => typeof element.taskType === 'string',
  'taskDefinition@retries': ({ element, value }) => element.retries === Number(value),
  type: ({ element }) => typeof element.taskType === 'string',
  topic: ({ element }) => typeof element.taskType === 'string',
  'taskHeaders/header': ({ element, node }) => has(element.settings, attr(node, 'key')),
  'script@expression': ({ element, node }) => has(element.set, attr(node, 'resultVariable')),
  'script@resultVariable': ({ element, value }) => has(element.set, value),
  // call activities
  'calledElement@processId': ({ element }) => typeof element.calledElement === 'string',
  'calledElement@propagateAllChildVariables': ({ element, value }) =>
    value !== 'false' || element.outputs !== undefined,
  'calledElement@propagateAllParentVariables': ({ element, value }) =>
    value !== 'false' || element.inputs !== undefined,
  // multi-instance
  collection: ({ element }) => mi(element).collection !== undefined,
  'loopCharacteristics@inputCollection': ({ element }) => mi(element).collection !== undefined,
  elementVariable: ({ element, value }) => mi(element).elementVariable === value,
  'loopCharacteristics@inputElement': ({ element, value }) => mi(element).elementVariable === value,
  'loopCharacteristics@outputCollection': ({ element, value }) => mi(element).outputCollection === value,
  'loopCharacteristics@outputElement': ({ element }) => mi(element).outputElement !== undefined,
  // events and processes
  'subscription@correlationKey': ({ definition }) => JSON.stringify(definition).includes('"correlationKey"'),
  initiator: ({ value }) => value === 'initiator',
  candidateStarterGroups: ({ definition }) => (definition.startableBy?.groups?.length ?? 0) > 0,
};

/** Translated parts whose meaning their own parts carry (checked through those), or markers. */
const CARRIED = new Set([
  'ioMapping',
  'ioMapping/input@source',
  'ioMapping/input@target',
  'ioMapping/output@source',
  'ioMapping/output@target',
  'inputOutput',
  'inputOutput/inputParameter@name',
  'inputOutput/outputParameter@name',
  'in@source',
  'in@target',
  'in@sourceExpression',
  'in@variables',
  'in@local',
  'out@source',
  'out@target',
  'out@sourceExpression',
  'out@variables',
  'out@local',
  'formDefinition',
  'assignmentDefinition',
  'taskSchedule',
  'priorityDefinition',
  'calledDecision',
  'taskDefinition',
  'taskHeaders',
  'taskHeaders/header@key',
  'taskHeaders/header@value',
  'script',
  'calledElement',
  'loopCharacteristics',
  'subscription',
]);

/** The committed outcomes: `feature on element type` → how many of each outcome, over every file. */
const OUTCOMES: Record<string, Record<string, number>> = {
  'activiti:assignee on userTask': { translated: 6 },
  'activiti:candidateGroups on userTask': { translated: 2 },
  'activiti:delegateExpression on serviceTask': { 'not-run': 2 },
  'activiti:field on serviceTask': { 'not-run': 10 },
  'activiti:field/activiti:expression on serviceTask': { 'not-run': 4 },
  'activiti:field/activiti:string on serviceTask': { 'not-run': 4 },
  'activiti:field@name on serviceTask': { 'not-run': 10 },
  'activiti:field@stringValue on serviceTask': { 'not-run': 2 },
  'activiti:formKey on startEvent': { ignored: 1, translated: 1 },
  'activiti:formKey on userTask': { translated: 8 },
  'camunda:assignee on userTask': { translated: 8 },
  'camunda:async on serviceTask': { ignored: 4 },
  'camunda:asyncBefore on startEvent': { ignored: 1 },
  'camunda:calledElementBinding on callActivity': { ignored: 1 },
  'camunda:candidateGroups on userTask': { translated: 9 },
  'camunda:candidateStarterGroups on process': { translated: 1 },
  'camunda:class on serviceTask': { 'not-run': 5 },
  'camunda:collection on subProcess': { translated: 1 },
  'camunda:decisionRef on businessRuleTask': { translated: 5 },
  'camunda:decisionRefBinding on businessRuleTask': { ignored: 1 },
  'camunda:dueDate on userTask': { translated: 12 },
  'camunda:elementVariable on subProcess': { translated: 1 },
  'camunda:errorCodeVariable on boundaryEvent': { 'not-run': 1 },
  'camunda:errorMessage on error': { ignored: 1 },
  'camunda:executionListener on process': { 'not-run': 1 },
  'camunda:executionListener on sequenceFlow': { 'not-run': 1 },
  'camunda:executionListener@class on process': { 'not-run': 1 },
  'camunda:executionListener@event on process': { 'not-run': 1 },
  'camunda:executionListener@event on sequenceFlow': { 'not-run': 1 },
  'camunda:executionListener@expression on sequenceFlow': { 'not-run': 1 },
  'camunda:expression on serviceTask': { 'not-run': 1 },
  'camunda:failedJobRetryTimeCycle on serviceTask': { ignored: 1 },
  'camunda:followUpDate on userTask': { 'not-run': 1 },
  'camunda:formData on userTask': { 'not-run': 2 },
  'camunda:formData/camunda:formField on userTask': { 'not-run': 2 },
  'camunda:formKey on startEvent': { translated: 7 },
  'camunda:formKey on userTask': { translated: 17 },
  'camunda:historyTimeToLive on process': { ignored: 13 },
  'camunda:in on callActivity': { 'not-run': 1, translated: 21 },
  'camunda:in@businessKey on callActivity': { 'not-run': 1 },
  'camunda:in@source on callActivity': { translated: 21 },
  'camunda:in@target on callActivity': { translated: 21 },
  'camunda:initiator on startEvent': { translated: 1 },
  'camunda:inputOutput on businessRuleTask': { translated: 1 },
  'camunda:inputOutput on exclusiveGateway': { 'not-run': 1 },
  'camunda:inputOutput on serviceTask': { 'not-run': 1, translated: 1 },
  'camunda:inputOutput on subProcess': { 'not-run': 1 },
  'camunda:inputOutput on userTask': { 'not-run': 1, translated: 1 },
  'camunda:inputOutput/camunda:inputParameter on businessRuleTask': { translated: 1 },
  'camunda:inputOutput/camunda:inputParameter on serviceTask': { 'not-run': 1, translated: 1 },
  'camunda:inputOutput/camunda:inputParameter on userTask': { translated: 1 },
  'camunda:inputOutput/camunda:inputParameter/camunda:script on serviceTask': { 'not-run': 1 },
  'camunda:inputOutput/camunda:outputParameter on businessRuleTask': { translated: 1 },
  'camunda:inputOutput/camunda:outputParameter on exclusiveGateway': { 'not-run': 1 },
  'camunda:inputOutput/camunda:outputParameter on serviceTask': { 'not-run': 1 },
  'camunda:inputOutput/camunda:outputParameter on subProcess': { 'not-run': 1 },
  'camunda:inputOutput/camunda:outputParameter on userTask': { 'not-run': 1, translated: 1 },
  'camunda:inputOutput/camunda:outputParameter/camunda:map on subProcess': { 'not-run': 1 },
  'camunda:inputOutput/camunda:outputParameter/camunda:map/camunda:entry on subProcess': { 'not-run': 2 },
  'camunda:inputOutput/camunda:outputParameter/camunda:script on serviceTask': { 'not-run': 1 },
  'camunda:isStartableInTasklist on process': { ignored: 4 },
  'camunda:mapDecisionResult on businessRuleTask': { translated: 5 },
  'camunda:out on callActivity': { translated: 5 },
  'camunda:out@source on callActivity': { translated: 4 },
  'camunda:out@target on callActivity': { translated: 4 },
  'camunda:out@variables on callActivity': { translated: 1 },
  'camunda:priority on userTask': { translated: 1 },
  'camunda:properties on process': { ignored: 1 },
  'camunda:properties/camunda:property on process': { ignored: 1 },
  'camunda:resultVariable on businessRuleTask': { translated: 5 },
  'camunda:resultVariable on scriptTask': { 'not-run': 1 },
  'camunda:taskListener on userTask': { 'not-run': 10 },
  'camunda:taskListener/camunda:script on userTask': { 'not-run': 8 },
  'camunda:taskListener@class on userTask': { 'not-run': 1 },
  'camunda:taskListener@delegateExpression on userTask': { 'not-run': 1 },
  'camunda:taskListener@event on userTask': { 'not-run': 10 },
  'camunda:taskPriority on serviceTask': { ignored: 1 },
  'camunda:topic on serviceTask': { translated: 6 },
  'camunda:type on serviceTask': { translated: 6 },
  'camunda:variableEvents on boundaryEvent': { 'not-run': 1 },
  'camunda:variableName on boundaryEvent': { 'not-run': 1 },
  'camunda:versionTag on process': { ignored: 5 },
  'flowable:assignee on userTask': { translated: 5 },
  'flowable:class on serviceTask': { 'not-run': 1 },
  'flowable:formKey on startEvent': { translated: 1 },
  'flowable:formKey on userTask': { translated: 3 },
  'flowable:initiator on startEvent': { translated: 1 },
  'flowableModeler:initiator-can-complete on userTask': { translated: 5 },
  'modeler:executionPlatform on definitions': { ignored: 9 },
  'modeler:executionPlatformVersion on definitions': { ignored: 8 },
  'zeebe:assignmentDefinition on userTask': { translated: 3 },
  'zeebe:assignmentDefinition@assignee on userTask': { translated: 2 },
  'zeebe:assignmentDefinition@candidateGroups on userTask': { translated: 2 },
  'zeebe:assignmentDefinition@candidateUsers on userTask': { translated: 1 },
  'zeebe:calledDecision on businessRuleTask': { translated: 2 },
  'zeebe:calledDecision@bindingType on businessRuleTask': { ignored: 1 },
  'zeebe:calledDecision@decisionId on businessRuleTask': { translated: 2 },
  'zeebe:calledDecision@resultVariable on businessRuleTask': { translated: 2 },
  'zeebe:calledElement on callActivity': { translated: 2 },
  'zeebe:calledElement@bindingType on callActivity': { ignored: 1 },
  'zeebe:calledElement@processId on callActivity': { translated: 2 },
  'zeebe:calledElement@propagateAllChildVariables on callActivity': { translated: 2 },
  'zeebe:calledElement@propagateAllParentVariables on callActivity': { translated: 1 },
  'zeebe:executionListeners on process': { 'not-run': 1 },
  'zeebe:executionListeners/zeebe:executionListener on process': { 'not-run': 1 },
  'zeebe:formDefinition on startEvent': { translated: 2 },
  'zeebe:formDefinition on userTask': { translated: 5 },
  'zeebe:formDefinition@externalReference on userTask': { translated: 1 },
  'zeebe:formDefinition@formId on startEvent': { translated: 2 },
  'zeebe:formDefinition@formId on userTask': { translated: 2 },
  'zeebe:formDefinition@formKey on userTask': { translated: 2 },
  'zeebe:ioMapping on businessRuleTask': { translated: 4 },
  'zeebe:ioMapping on callActivity': { translated: 1 },
  'zeebe:ioMapping on sendTask': { 'not-run': 8 },
  'zeebe:ioMapping on serviceTask': { 'not-run': 1, translated: 2 },
  'zeebe:ioMapping on userTask': { translated: 2 },
  'zeebe:ioMapping/zeebe:input on businessRuleTask': { translated: 3 },
  'zeebe:ioMapping/zeebe:input on callActivity': { translated: 1 },
  'zeebe:ioMapping/zeebe:input on sendTask': { 'not-run': 24 },
  'zeebe:ioMapping/zeebe:input on serviceTask': { translated: 2 },
  'zeebe:ioMapping/zeebe:input on userTask': { translated: 3 },
  'zeebe:ioMapping/zeebe:output on businessRuleTask': { 'not-run': 3, translated: 4 },
  'zeebe:ioMapping/zeebe:output on callActivity': { translated: 1 },
  'zeebe:ioMapping/zeebe:output on serviceTask': { 'not-run': 1, translated: 2 },
  'zeebe:ioMapping/zeebe:output on userTask': { translated: 3 },
  'zeebe:linkedResources on serviceTask': { 'not-run': 1 },
  'zeebe:linkedResources/zeebe:linkedResource on serviceTask': { 'not-run': 1 },
  'zeebe:loopCharacteristics on userTask': { translated: 1 },
  'zeebe:loopCharacteristics@inputCollection on userTask': { translated: 1 },
  'zeebe:loopCharacteristics@inputElement on userTask': { translated: 1 },
  'zeebe:loopCharacteristics@outputCollection on userTask': { translated: 1 },
  'zeebe:loopCharacteristics@outputElement on userTask': { translated: 1 },
  'zeebe:priorityDefinition on userTask': { translated: 2 },
  'zeebe:priorityDefinition@priority on userTask': { translated: 2 },
  'zeebe:properties on process': { ignored: 1 },
  'zeebe:properties on userTask': { ignored: 1 },
  'zeebe:properties/zeebe:property on process': { ignored: 1 },
  'zeebe:properties/zeebe:property on userTask': { ignored: 1 },
  'zeebe:script on scriptTask': { translated: 2 },
  'zeebe:script@expression on scriptTask': { translated: 2 },
  'zeebe:script@resultVariable on scriptTask': { translated: 2 },
  'zeebe:subscription on message': { translated: 2 },
  'zeebe:subscription@correlationKey on message': { translated: 2 },
  'zeebe:taskDefinition on businessRuleTask': { 'not-run': 2 },
  'zeebe:taskDefinition on sendTask': { 'not-run': 8 },
  'zeebe:taskDefinition on serviceTask': { translated: 8 },
  'zeebe:taskDefinition@retries on serviceTask': { translated: 2 },
  'zeebe:taskDefinition@type on businessRuleTask': { 'not-run': 2 },
  'zeebe:taskDefinition@type on sendTask': { 'not-run': 8 },
  'zeebe:taskDefinition@type on serviceTask': { translated: 8 },
  'zeebe:taskHeaders on businessRuleTask': { 'not-run': 2 },
  'zeebe:taskHeaders on serviceTask': { translated: 4 },
  'zeebe:taskHeaders on userTask': { 'not-run': 1 },
  'zeebe:taskHeaders/zeebe:header on businessRuleTask': { 'not-run': 2 },
  'zeebe:taskHeaders/zeebe:header on serviceTask': { translated: 4 },
  'zeebe:taskHeaders/zeebe:header on userTask': { 'not-run': 1 },
  'zeebe:taskListeners on userTask': { 'not-run': 1 },
  'zeebe:taskListeners/zeebe:taskListener on userTask': { 'not-run': 1 },
  'zeebe:taskSchedule on userTask': { translated: 3 },
  'zeebe:taskSchedule@dueDate on userTask': { translated: 3 },
  'zeebe:taskSchedule@followUpDate on userTask': { 'not-run': 1 },
  'zeebe:userTask on userTask': { translated: 2 },
  'zeebe:userTaskForm on process': { 'not-run': 2 },
  'zeebe:userTaskForm@id on process': { 'not-run': 2 },
  'zeebe:versionTag on process': { ignored: 1 },
  'zeebe:versionTag@value on process': { ignored: 1 },
};
