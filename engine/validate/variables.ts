/**
 * Typed variables: what each step can have written by the time an expression runs, and of what
 * type, from the start form, the task forms, `set`/output mappings, decision results and
 * multi-instance outputs. Flags an expression that reads a variable no earlier step can have
 * written (a warning: the designer spelled it wrong, or forgot the step that writes it), and a
 * comparison of a variable with a literal of another type, e.g. `amount > "50000000"` with amount a
 * number from the form (an error: FEEL gives null, and the gateway takes no flow).
 *
 * A may-analysis over the flow graph: a variable counts as written before a step when some path
 * from the start writes it. Where something can write anything (a job's result, a message, a
 * called process without output mappings, a form that is not known, a start without a start
 * form), reads are not flagged past it. Pure and bounded: one pass per element per round, at most
 * as many rounds as elements.
 */
import { parseExpression } from 'feelin';
import type { Element, ProcessDefinition, SequenceFlow } from '../model/definition';
import { flatten } from '../model/scopes';
import { dueDateLiteral } from '../model/due-date';
import { topLevelFields, type JsonSchema } from '../forms/form';
import type { Diagnostic } from './diagnostic';

export type VariableType = 'number' | 'string' | 'boolean' | 'list' | 'context' | 'any';

/** A form's JSON Schema (its top-level properties are the variables a submission writes). */
export type FormSchemas = Record<string, Record<string, unknown> | undefined>;

/** Anything may have been written. */
const ANY = '*';

/** The keys of the forms a process names: its start form and every user task's, at any depth. */
export function formKeysOf(definition: { startForm?: string; elements?: readonly unknown[] }): string[] {
  const keys = new Set<string>();
  if (definition.startForm) keys.add(definition.startForm);
  const walk = (elements: readonly unknown[] | undefined) => {
    for (const e of (elements ?? []) as { type?: string; formKey?: string; elements?: unknown[] }[]) {
      if (e.type === 'userTask' && e.formKey) keys.add(e.formKey);
      if (e.type === 'subProcess') walk(e.elements);
    }
  };
  walk(definition.elements);
  return [...keys].sort();
}

/** The variables a form's submission writes, with their types (JSON Schema's): its top-level fields, those shown only when a condition holds too. */
export function formVariables(schema: Record<string, unknown> | undefined): Map<string, VariableType> {
  const out = new Map<string, VariableType>();
  for (const [name, p] of topLevelFields((schema ?? {}) as JsonSchema)) out.set(name, jsonType(p.type));
  return out;
}

function jsonType(type: unknown): VariableType {
  switch (Array.isArray(type) ? type.find((t) => t !== 'null') : type) {
    case 'number':
    case 'integer':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'object':
      return 'context';
    default:
      return 'any';
  }
}

/** The type of a FEEL expression when it is a plain literal or a comparison; else any. */
function literalType(expression: string): VariableType {
  const e = expression.trim();
  if (/^-?\d+(\.\d+)?$/.test(e)) return 'number';
  if (/^"([^"\\]|\\.)*"$/.test(e)) return 'string';
  if (e === 'true' || e === 'false') return 'boolean';
  if (e.startsWith('[')) return 'list';
  return 'any';
}

interface Read {
  where: string;
  expression: string;
  /** Names in scope for this expression besides the process variables (inputs, the loop item…). */
  local: Set<string>;
}

/** What one step writes: names with types, or ANY. */
type Writes = Map<string, VariableType>;

/** FEEL names an expression reads from the variables (not functions, iteration names, context keys or names inside filters), and its comparisons with literals. */
export function namesRead(expression: string): {
  names: string[];
  comparisons: { name: string; literal: VariableType; text: string }[];
} {
  const names = new Set<string>();
  const bound = new Set<string>();
  const comparisons: { name: string; literal: VariableType; text: string }[] = [];
  let tree;
  try {
    tree = parseExpression(expression, {}, undefined);
  } catch {
    return { names: [], comparisons: [] };
  }
  const text = (n: { from: number; to: number }) => expression.slice(n.from, n.to);
  let filters = 0;
  let visited = 0;
  tree.iterate({
    enter(node) {
      // A budget besides the expression's own limits (checkExpression caps its length).
      if (++visited > 10_000 || node.type.isError) return false;
      if (node.name === 'FilterExpression') {
        // The list is read; what is inside the brackets reads the items.
        const list = node.node.firstChild;
        if (list?.name === 'VariableName') names.add(text(list));
        filters++;
        return undefined;
      }
      if (node.name === 'InExpression' || node.name === 'Key') {
        const name = node.node.firstChild;
        if (name?.name === 'Name') bound.add(text(name));
      }
      if (node.name === 'VariableName' && filters === 0) {
        // A function's name is not a variable.
        const parent = node.node.parent;
        if (!(parent?.name === 'FunctionInvocation' && parent.firstChild?.from === node.from)) names.add(text(node));
      }
      if (node.name === 'Comparison' && filters === 0) {
        const left = node.node.firstChild;
        const op = left?.nextSibling;
        const right = op?.nextSibling;
        if (left && op && right && op.name === 'CompareOp') {
          const lit = (n: { name: string }) =>
            n.name === 'StringLiteral'
              ? 'string'
              : n.name === 'NumericLiteral'
                ? 'number'
                : n.name === 'BooleanLiteral'
                  ? 'boolean'
                  : null;
          if (left.name === 'VariableName' && lit(right))
            comparisons.push({ name: text(left), literal: lit(right)!, text: text(right) });
          if (right.name === 'VariableName' && lit(left))
            comparisons.push({ name: text(right), literal: lit(left)!, text: text(left) });
        }
      }
      return undefined;
    },
    leave(node) {
      if (node.name === 'FilterExpression') filters--;
    },
  });
  return { names: [...names].filter((n) => !bound.has(n)), comparisons: comparisons.filter((c) => !bound.has(c.name)) };
}

function assignmentReads(
  map: Record<string, string> | undefined,
  where: string,
  local: Set<string>,
  sequential: boolean,
): Read[] {
  const out: Read[] = [];
  const seen = new Set(local);
  for (const [name, expression] of Object.entries(map ?? {})) {
    out.push({ where: `${where} "${name}"`, expression, local: new Set(seen) });
    if (sequential) seen.add(name);
  }
  return out;
}

const feel = (value: unknown) => (typeof value === 'string' && value.startsWith('=') ? value.slice(1) : undefined);

/** The expressions an element runs before it completes, each with what it sees besides the variables. */
function readsOf(e: Element, forms: FormSchemas): Read[] {
  const out: Read[] = [];
  const loop = 'multiInstance' in e && e.multiInstance ? e.multiInstance : undefined;
  const item = new Set(loop ? [loop.elementVariable ?? 'item', 'loopCounter'] : []);
  if (loop) {
    if (loop.collection) out.push({ where: 'Collection', expression: loop.collection, local: new Set() });
    if (loop.cardinality) out.push({ where: 'Cardinality', expression: loop.cardinality, local: new Set() });
    // The completion condition also sees the results collected so far (e.g. count(approvals[item = "approve"]) >= 2).
    const counts = new Set([
      ...item,
      'nrOfInstances',
      'nrOfCompletedInstances',
      'nrOfActiveInstances',
      ...(loop.outputCollection ? [loop.outputCollection] : []),
    ]);
    if (loop.completionCondition)
      out.push({ where: 'Completion condition', expression: loop.completionCondition, local: counts });
    if (loop.outputElement)
      out.push({
        where: 'Output element',
        expression: loop.outputElement,
        local: new Set([...counts, ...(e.type === 'userTask' ? formVariables(forms[e.formKey ?? '']).keys() : [])]),
      });
  }
  if (e.type === 'userTask') {
    out.push(...assignmentReads(e.inputs, 'Input mapping', item, true));
    const inputs = new Set([...item, ...Object.keys(e.inputs ?? {})]);
    const form = e.formKey ? forms[e.formKey] : undefined;
    for (const [where, value] of [
      ['Assignee', e.assignee],
      ['Candidate groups', e.candidateGroups],
      ['Candidate users', e.candidateUsers],
      ['Priority', e.priority],
    ] as const) {
      const expression = feel(value);
      if (expression) out.push({ where, expression, local: inputs });
    }
    if (e.dueDate && dueDateLiteral(e.dueDate) === null)
      out.push({ where: 'Due date', expression: e.dueDate, local: inputs });
    // Outputs see the submission too; an unknown form may hold any field.
    if (e.outputs && (!e.formKey || form))
      out.push(
        ...assignmentReads(e.outputs, 'Output mapping', new Set([...inputs, ...formVariables(form).keys()]), false),
      );
  }
  if (e.type === 'serviceTask') {
    out.push(...assignmentReads(e.inputs, 'Input mapping', item, false));
    for (const [name, value] of Object.entries(e.settings ?? {})) {
      const expression = feel(value);
      if (expression) out.push({ where: `Setting "${name}"`, expression, local: item });
    }
    // After a job, `set` sees its result, which may hold anything.
    if (!e.taskType) out.push(...assignmentReads(e.set, 'Expression for variable', item, true));
  }
  if (e.type === 'scriptTask') out.push(...assignmentReads(e.set, 'Expression for variable', item, true));
  if (e.type === 'businessRuleTask') {
    out.push(...assignmentReads(e.inputs, 'Input mapping', item, true));
    out.push(
      ...assignmentReads(
        e.outputs,
        'Output mapping',
        new Set([...item, ...Object.keys(e.inputs ?? {}), e.resultVariable]),
        false,
      ),
    );
  }
  if (e.type === 'callActivity') out.push(...assignmentReads(e.inputs, 'Mapping', item, false));
  if (e.type === 'sendTask') out.push(...assignmentReads(e.message.payload, 'Payload expression', item, false));
  const event =
    'event' in e ? e.event : e.type === 'receiveTask' ? { kind: 'message' as const, ...e.message } : undefined;
  if (event?.kind === 'message' && event.correlationKey !== undefined)
    out.push({ where: 'Correlation key', expression: event.correlationKey, local: item });
  if (event?.kind === 'timer') {
    const expression = feel(event.duration ?? event.date ?? event.cycle);
    if (expression) out.push({ where: 'Timer expression', expression, local: item });
  }
  return out;
}

/** What an element writes to the process when it completes. */
function writesOf(e: Element, forms: FormSchemas): Writes | typeof ANY {
  const out: Writes = new Map();
  const assigned = (map: Record<string, string> | undefined) => {
    for (const [name, expression] of Object.entries(map ?? {})) out.set(name, literalType(expression));
  };
  const loop = 'multiInstance' in e && e.multiInstance ? e.multiInstance : undefined;
  if (loop?.outputCollection) out.set(loop.outputCollection, 'list');
  switch (e.type) {
    case 'userTask': {
      if (e.outputs) assigned(e.outputs);
      else if (loop?.outputCollection) break;
      else if (e.formKey && forms[e.formKey])
        for (const [name, type] of formVariables(forms[e.formKey])) out.set(name, type);
      else return ANY;
      break;
    }
    case 'serviceTask':
      if (e.taskType) return ANY;
      assigned(e.set);
      break;
    case 'scriptTask':
      assigned(e.set);
      break;
    case 'businessRuleTask':
      if (e.outputs) assigned(e.outputs);
      else
        out.set(
          e.resultVariable,
          e.mapDecisionResult === 'resultList' || e.mapDecisionResult === 'collectEntries'
            ? 'list'
            : e.mapDecisionResult === 'singleResult'
              ? 'context'
              : 'any',
        );
      break;
    case 'callActivity':
      if (!e.outputs) return ANY;
      assigned(e.outputs);
      break;
    case 'receiveTask':
      return ANY;
    default: {
      const event = 'event' in e ? e.event : undefined;
      if (event?.kind === 'message' && e.type !== 'endEvent' && e.type !== 'intermediateThrowEvent') return ANY;
    }
  }
  return out;
}

type Known = { all: boolean; names: Set<string> };

/**
 * The diagnostics: reads no earlier step can have written (warnings), and comparisons of a
 * variable with a literal of another type (errors). `forms` holds the schemas of the forms the
 * process names (by key); a form missing from it is treated as unknown (it may write anything).
 */
/**
 * Variables the host gives an instance a person starts, besides the start form's (the server's
 * `initiator`: who started it): known at the process's own start, with their types.
 */
export type GivenVariables = Readonly<Record<string, VariableType>>;

/** The may-analysis: what is written before and after each element, and each name's type. */
function analyse(definition: ProcessDefinition, forms: FormSchemas, given: GivenVariables = {}) {
  const { elements, flows, scopeOf } = flatten(definition);
  const byId = new Map(elements.map((e) => [e.id, e]));
  const incoming = new Map<string, SequenceFlow[]>();
  for (const f of flows) incoming.set(f.target, [...(incoming.get(f.target) ?? []), f]);
  const writes = new Map(elements.map((e) => [e.id, writesOf(e, forms)]));

  // Types, flow-insensitive: a name every writer gives the same type has it; else any.
  const types = new Map<string, VariableType>();
  const startForm = definition.startForm ? forms[definition.startForm] : undefined;
  const note = (name: string, type: VariableType) => {
    const had = types.get(name);
    types.set(name, had === undefined || had === type ? type : 'any');
  };
  for (const [name, type] of formVariables(startForm)) note(name, type);
  for (const [name, type] of Object.entries(given)) note(name, type);
  for (const w of writes.values()) if (w !== ANY) for (const [name, type] of w) note(name, type);

  const everything: Known = { all: true, names: new Set() };
  const startKnown: Known =
    definition.startForm === undefined || !startForm
      ? everything
      : { all: false, names: new Set([...formVariables(startForm).keys(), ...Object.keys(given)]) };
  const before = new Map<string, Known>();
  const after = new Map<string, Known>();
  const union = (sets: Known[]): Known => ({
    all: sets.some((s) => s.all),
    names: new Set(sets.flatMap((s) => [...s.names])),
  });
  const withWrites = (k: Known, w: Writes | typeof ANY): Known =>
    w === ANY ? { all: true, names: k.names } : { all: k.all, names: new Set([...k.names, ...w.keys()]) };
  const inside = (sub: Element): Element[] => elements.filter((x) => scopeOf.get(x.id)?.enclosing.includes(sub.id));

  const compute = (e: Element): Known => {
    const scope = scopeOf.get(e.id)!;
    const parent = scope.id ? byId.get(scope.id) : undefined;
    if (e.type === 'startEvent') {
      if (scope.kind === 'eventSubProcess') return everything;
      if (!parent)
        return e.event ? (e.event.kind === 'message' ? everything : { all: false, names: new Set() }) : startKnown;
      const loop = 'multiInstance' in parent && parent.multiInstance ? parent.multiInstance : undefined;
      const base = before.get(parent.id) ?? { all: false, names: new Set<string>() };
      return loop
        ? union([base, { all: false, names: new Set([loop.elementVariable ?? 'item', 'loopCounter']) }])
        : base;
    }
    if (e.type === 'boundaryEvent') {
      const host = byId.get(e.attachedTo);
      const hostBefore = before.get(e.attachedTo) ?? { all: false, names: new Set<string>() };
      return host?.type === 'subProcess'
        ? union([hostBefore, ...inside(host).map((x) => after.get(x.id) ?? hostBefore)])
        : hostBefore;
    }
    return union(
      (incoming.get(e.id) ?? []).map((f) => after.get(f.source) ?? { all: false, names: new Set<string>() }),
    );
  };
  const completed = (e: Element): Known => {
    const k = before.get(e.id)!;
    if (e.type === 'subProcess') {
      const ends = inside(e).filter((x) => scopeOf.get(x.id)?.id === e.id && x.type === 'endEvent');
      return withWrites(union([k, ...ends.map((x) => after.get(x.id) ?? k)]), writes.get(e.id)!);
    }
    return withWrites(k, writes.get(e.id)!);
  };
  // Rounds until nothing grows (sets only grow, so at most one round per element and name).
  const same = (a: Known | undefined, b: Known) => !!a && a.all === b.all && a.names.size === b.names.size;
  for (let round = 0; round <= elements.length + 1; round++) {
    let changed = false;
    for (const e of elements) {
      const b = compute(e);
      if (!same(before.get(e.id), b)) {
        before.set(e.id, b);
        changed = true;
      }
      const a = completed(e);
      if (!same(after.get(e.id), a)) {
        after.set(e.id, a);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { elements, flows, before, after, types, everything };
}

export function checkVariables(
  definition: ProcessDefinition,
  forms: FormSchemas,
  given: GivenVariables = {},
): Diagnostic[] {
  const { elements, flows, before, after, types, everything } = analyse(definition, forms, given);
  const out: Diagnostic[] = [];
  const check = (elementId: string, known: Known, read: Read) => {
    const { names, comparisons } = namesRead(read.expression);
    if (!known.all) {
      for (const name of names) {
        if (read.local.has(name) || known.names.has(name)) continue;
        out.push({
          ruleId: 'variables',
          elementId,
          severity: 'warning',
          message: `${read.where} of "${elementId}" reads "${name}", which no earlier step writes (not in the start form, a task's form or a mapping before it).`,
        });
      }
    }
    for (const c of comparisons) {
      const type = read.local.has(c.name) ? undefined : types.get(c.name);
      if (!type || type === 'any' || type === c.literal) continue;
      out.push({
        ruleId: 'variables',
        elementId,
        severity: 'error',
        message: `${read.where} of "${elementId}" compares "${c.name}", a ${type}, with ${c.literal === 'string' ? 'the text' : c.literal === 'number' ? 'the number' : 'the value'} ${c.text}: FEEL gives null, never true. Write ${suggestion(type, c.text)}.`,
      });
    }
  };
  for (const e of elements) {
    const known = before.get(e.id) ?? everything;
    for (const read of readsOf(e, forms)) check(e.id, known, read);
  }
  for (const f of flows) {
    if (f.condition === undefined) continue;
    check(f.id, after.get(f.source) ?? everything, { where: 'Condition', expression: f.condition, local: new Set() });
  }
  return out;
}

function suggestion(type: VariableType, literal: string): string {
  const inner = literal.replace(/^"|"$/g, '');
  if (type === 'number' && /^-?\d+(\.\d+)?$/.test(inner)) return `${inner} (without quotes)`;
  if (type === 'string') return `"${inner}" (in quotes)`;
  if (type === 'boolean') return 'true or false (without quotes)';
  return `a ${type}`;
}

/**
 * The variables an expression of an element (or a flow's condition) can read, with their types:
 * for the designer's FEEL fields to complete. `all` says anything may have been written too.
 */
export function variablesAt(
  definition: ProcessDefinition,
  forms: FormSchemas,
  id: string,
  given: GivenVariables = {},
): { all: boolean; variables: { name: string; type: VariableType }[] } {
  const { flows, before, after, types } = analyse(definition, forms, given);
  const flow = flows.find((f) => f.id === id);
  const known = flow ? after.get(flow.source) : before.get(id);
  if (!known) return { all: true, variables: [] };
  return {
    all: known.all,
    variables: [...known.names].sort().map((name) => ({ name, type: types.get(name) ?? 'any' })),
  };
}
