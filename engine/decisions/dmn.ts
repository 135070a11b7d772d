/**
 * Imports the decision tables of a DMN 1.3 file (`.dmn`) with dmn-moddle. Pure: takes the XML
 * text, returns decisions or a clear error. Refuses DOCTYPE and entity declarations before parsing.
 */
import { DmnModdle } from 'dmn-moddle';
import { decisionSchema, type Decision, type TypeRef } from './model';

export const MAX_DMN_BYTES = 5_000_000;

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  text?: string;
  [key: string]: unknown;
}

export async function importDmn(xml: string): Promise<Decision[]> {
  if (xml.length > MAX_DMN_BYTES)
    throw new Error(`DMN file is ${xml.length} characters; the limit is ${MAX_DMN_BYTES}.`);
  if (/<!DOCTYPE|<!ENTITY|xi:include/i.test(xml))
    throw new Error('DMN file declares a DOCTYPE, an entity or an XInclude; these are refused.');
  const moddle = DmnModdle();
  const { rootElement, warnings } = (await moddle.fromXML(xml, 'dmn:Definitions')) as {
    rootElement: ModdleElement;
    warnings: { message: string }[];
  };
  const unreadable = warnings.filter((w) => !/unknown attribute|unparsable content/i.test(w.message));
  if (unreadable.length > 0) throw new Error(`DMN file could not be read: ${unreadable[0]!.message}`);
  const drg = (rootElement.drgElement as ModdleElement[] | undefined) ?? [];
  const decisions: Decision[] = [];
  for (const element of drg) {
    if (element.$type !== 'dmn:Decision') continue;
    const table = element.decisionLogic as ModdleElement | undefined;
    if (table?.$type !== 'dmn:DecisionTable')
      throw new Error(
        `Decision "${element.id}" is not a decision table (${table?.$type ?? 'no logic'}); only decision tables are supported.`,
      );
    const requirements = (element.informationRequirement as ModdleElement[] | undefined) ?? [];
    const inputs = (table.input as ModdleElement[] | undefined) ?? [];
    const outputs = (table.output as ModdleElement[] | undefined) ?? [];
    const rules = (table.rule as ModdleElement[] | undefined) ?? [];
    const parsed = decisionSchema.safeParse({
      id: element.id,
      name: element.name,
      requires: requirements
        .map((r) => ((r.requiredDecision as ModdleElement | undefined)?.href as string | undefined)?.replace(/^#/, ''))
        .filter((x): x is string => !!x),
      hitPolicy: (table.hitPolicy as string | undefined) ?? 'UNIQUE',
      aggregation: table.aggregation as string | undefined,
      inputs: inputs.map((i) => ({
        id: i.id,
        label: i.label as string | undefined,
        expression: ((i.inputExpression as ModdleElement | undefined)?.text ?? '').trim(),
        typeRef: knownType((i.inputExpression as ModdleElement | undefined)?.typeRef),
        values: splitList(((i.inputValues as ModdleElement | undefined)?.text as string | undefined) ?? ''),
      })),
      outputs: outputs.map((o, n) => ({
        id: o.id,
        name: (o.name as string | undefined) ?? (outputs.length === 1 ? 'result' : `output${n + 1}`),
        label: o.label as string | undefined,
        typeRef: knownType(o.typeRef),
        values: splitList(((o.outputValues as ModdleElement | undefined)?.text as string | undefined) ?? ''),
      })),
      rules: rules.map((r) => ({
        id: r.id,
        description: r.description as string | undefined,
        inputEntries: ((r.inputEntry as ModdleElement[] | undefined) ?? []).map((e) => e.text ?? ''),
        outputEntries: ((r.outputEntry as ModdleElement[] | undefined) ?? []).map((e) => e.text ?? ''),
      })),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`Decision "${element.id}": ${issue.path.join('.')}: ${issue.message}`);
    }
    decisions.push(parsed.data);
  }
  return decisions;
}

/** A DMN typeRef Trellis checks (string, number — also integer/long/double —, boolean, date); others are left out. */
function knownType(value: unknown): TypeRef | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim().toLowerCase();
  if (t === 'string' || t === 'boolean' || t === 'date') return t;
  if (['number', 'integer', 'long', 'double'].includes(t)) return 'number';
  return undefined;
}

/** `"a","b", "c"` → ['"a"', '"b"', '"c"'] (commas inside quotes kept). */
function splitList(text: string): string[] | undefined {
  if (text.trim() === '') return undefined;
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/**
 * Writes decision tables as a DMN 1.3 file (`.dmn`) with dmn-moddle, which `importDmn` reads back
 * to the same tables: hit policy and aggregation, inputs with their expression, type and allowed
 * values, outputs with name, type and values, rules with their entries and annotation, and the
 * decisions each requires. Elements without an id get one made from the decision's.
 */
export async function exportDmn(decisions: Decision[], name?: string): Promise<string> {
  const moddle = DmnModdle();
  const create = (type: string, attrs: Record<string, unknown>) =>
    moddle.create(type, Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)));
  const drgElement = decisions.map((d) => {
    const table = create('dmn:DecisionTable', {
      id: `${d.id}_table`,
      hitPolicy: d.hitPolicy,
      aggregation: d.aggregation,
      input: d.inputs.map((input, n) =>
        create('dmn:InputClause', {
          id: input.id ?? `${d.id}_input_${n + 1}`,
          label: input.label,
          inputExpression: create('dmn:LiteralExpression', {
            id: `${input.id ?? `${d.id}_input_${n + 1}`}_expression`,
            typeRef: input.typeRef,
            text: input.expression,
          }),
          inputValues:
            input.values && input.values.length > 0
              ? create('dmn:UnaryTests', { text: input.values.join(', ') })
              : undefined,
        }),
      ),
      output: d.outputs.map((output, n) =>
        create('dmn:OutputClause', {
          id: output.id ?? `${d.id}_output_${n + 1}`,
          name: output.name,
          label: output.label,
          typeRef: output.typeRef,
          outputValues:
            output.values && output.values.length > 0
              ? create('dmn:UnaryTests', { text: output.values.join(', ') })
              : undefined,
        }),
      ),
      rule: d.rules.map((rule, k) => {
        const ruleId = rule.id ?? `${d.id}_rule_${k + 1}`;
        return create('dmn:DecisionRule', {
          id: ruleId,
          description: rule.description,
          inputEntry: rule.inputEntries.map((text, j) =>
            create('dmn:UnaryTests', { id: `${ruleId}_in_${j + 1}`, text }),
          ),
          outputEntry: rule.outputEntries.map((text, j) =>
            create('dmn:LiteralExpression', { id: `${ruleId}_out_${j + 1}`, text }),
          ),
        });
      }),
    });
    return create('dmn:Decision', {
      id: d.id,
      name: d.name ?? d.id,
      decisionLogic: table,
      informationRequirement: d.requires.map((required, n) =>
        create('dmn:InformationRequirement', {
          id: `${d.id}_requires_${n + 1}`,
          requiredDecision: create('dmn:DMNElementReference', { href: `#${required}` }),
        }),
      ),
    });
  });
  const definitions = create('dmn:Definitions', {
    id: `${decisions[0]?.id ?? 'decisions'}_definitions`,
    name: name ?? decisions[0]?.name ?? 'Decisions',
    namespace: 'https://trellis.dev/dmn',
    drgElement,
  });
  const { xml } = (await moddle.toXML(definitions, { format: true })) as { xml: string };
  return xml;
}
