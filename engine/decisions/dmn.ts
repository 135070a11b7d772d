/**
 * Imports the decision tables of a DMN 1.3 file (`.dmn`) with dmn-moddle. Pure: takes the XML
 * text, returns decisions or a clear error. Refuses DOCTYPE and entity declarations before parsing.
 */
import { DmnModdle } from 'dmn-moddle';
import { decisionSchema, type Decision } from './model';

export const MAX_DMN_BYTES = 5_000_000;

interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  text?: string;
  [key: string]: unknown;
}

export async function importDmn(xml: string): Promise<Decision[]> {
  if (xml.length > MAX_DMN_BYTES) throw new Error(`DMN file is ${xml.length} characters; the limit is ${MAX_DMN_BYTES}.`);
  if (/<!DOCTYPE|<!ENTITY|xi:include/i.test(xml)) throw new Error('DMN file declares a DOCTYPE, an entity or an XInclude; these are refused.');
  const moddle = DmnModdle();
  const { rootElement, warnings } = (await moddle.fromXML(xml, 'dmn:Definitions')) as { rootElement: ModdleElement; warnings: { message: string }[] };
  const unreadable = warnings.filter((w) => !/unknown attribute|unparsable content/i.test(w.message));
  if (unreadable.length > 0) throw new Error(`DMN file could not be read: ${unreadable[0]!.message}`);
  const drg = (rootElement.drgElement as ModdleElement[] | undefined) ?? [];
  const decisions: Decision[] = [];
  for (const element of drg) {
    if (element.$type !== 'dmn:Decision') continue;
    const table = element.decisionLogic as ModdleElement | undefined;
    if (table?.$type !== 'dmn:DecisionTable') throw new Error(`Decision "${element.id}" is not a decision table (${table?.$type ?? 'no logic'}); only decision tables are supported.`);
    const requirements = (element.informationRequirement as ModdleElement[] | undefined) ?? [];
    const inputs = (table.input as ModdleElement[] | undefined) ?? [];
    const outputs = (table.output as ModdleElement[] | undefined) ?? [];
    const rules = (table.rule as ModdleElement[] | undefined) ?? [];
    const parsed = decisionSchema.safeParse({
      id: element.id,
      name: element.name,
      requires: requirements.map((r) => ((r.requiredDecision as ModdleElement | undefined)?.href as string | undefined)?.replace(/^#/, '')).filter((x): x is string => !!x),
      hitPolicy: (table.hitPolicy as string | undefined) ?? 'UNIQUE',
      aggregation: table.aggregation as string | undefined,
      inputs: inputs.map((i) => ({ id: i.id, label: i.label as string | undefined, expression: ((i.inputExpression as ModdleElement | undefined)?.text ?? '').trim() })),
      outputs: outputs.map((o, n) => ({
        id: o.id,
        name: (o.name as string | undefined) ?? (outputs.length === 1 ? 'result' : `output${n + 1}`),
        label: o.label as string | undefined,
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
