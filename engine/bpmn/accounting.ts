/**
 * The import's account of vendor features: every attribute and extension element of the
 * Camunda 7 (`camunda:`), Camunda 8 (`zeebe:`, and the Camunda Modeler's `modeler:`), Flowable
 * (`flowable:`) and Activiti (`activiti:`) namespaces in a file ends up translated, ignored with a
 * reason, or reported as not run: the importer never drops one silently.
 *
 * The importer marks what it reads on the moddle objects (`Ledger`); `sweep` then walks the whole
 * file on its own, lists every feature with its outcome, and names each one nobody marked — a
 * feature added to a dialect tomorrow is reported as not run, not lost. Pure: moddle objects in,
 * data out.
 */
import { NAMESPACES } from './dialects';
import type { ModdleElement } from './read';

export type Outcome = 'translated' | 'ignored' | 'not-run';

/**
 * One vendor feature of the file: `name` is `camunda:asyncBefore` (an attribute of a BPMN
 * element), `zeebe:taskSchedule` (an extension element), `zeebe:taskSchedule@followUpDate` (an
 * attribute of one) or `zeebe:ioMapping/zeebe:output` (an element inside one). Prefixes are the
 * dialects' own, whatever the file calls them. `elementId` is the element it belongs to: the
 * nearest one with an id, an event's or loop's for their definitions, `definitions` for the root.
 */
export interface AccountedFeature {
  elementId: string;
  name: string;
  outcome: Outcome;
}

/** A feature nobody marked: not run, and the importer says so (the topmost of its kind only). */
export interface Unaccounted {
  elementId: string;
  name: string;
  dialect: VendorDialect;
  value?: string;
}

export const VENDOR_NAMESPACES = {
  camunda: NAMESPACES.camunda,
  zeebe: NAMESPACES.zeebe,
  flowable: NAMESPACES.flowable,
  activiti: NAMESPACES.activiti,
  modeler: 'http://camunda.org/schema/modeler/1.0',
  flowableModeler: 'http://flowable.org/modeler',
} as const;
export type VendorDialect = keyof typeof VENDOR_NAMESPACES;

const RANK: Record<Outcome, number> = { translated: 0, ignored: 1, 'not-run': 2 };
/** The mark that covers an element's every attribute and everything inside it. */
const ALL = '*';

/**
 * What the importer did with each vendor attribute and element, kept on the moddle objects: the
 * worse outcome wins (a feature read for a translation that then failed is not run).
 */
export class Ledger {
  private readonly marks = new WeakMap<object, Map<string, Outcome>>();

  /** A vendor attribute of a BPMN element, by its dialect's name (`camunda:asyncBefore`). */
  attribute(element: ModdleElement, name: string, outcome: Outcome) {
    this.mark(element, name, outcome);
  }

  /**
   * A BPMN element left out of the import as a whole (a type Trellis does not import): every
   * vendor feature on it and inside it shares `outcome`.
   */
  subtree(element: ModdleElement, outcome: Outcome) {
    this.mark(element, ALL, outcome);
  }

  /**
   * A vendor element: with `attributes`, it and those of its attributes (the others stay
   * unaccounted, and are reported); without, it and everything inside it.
   */
  element(element: ModdleElement, outcome: Outcome, attributes?: readonly string[]) {
    this.mark(element, '', outcome);
    if (!attributes) this.mark(element, ALL, outcome);
    else for (const a of attributes) this.mark(element, a, outcome);
  }

  /** One attribute of a vendor element (`followUpDate` of zeebe:taskSchedule), leaving the element's own outcome. */
  option(element: ModdleElement, attribute: string, outcome: Outcome) {
    this.mark(element, attribute, outcome);
  }

  outcome(element: object, key: string): Outcome | undefined {
    return this.marks.get(element)?.get(key);
  }

  private mark(element: object, key: string, outcome: Outcome) {
    let marks = this.marks.get(element);
    if (!marks) this.marks.set(element, (marks = new Map()));
    const before = marks.get(key);
    if (before === undefined || RANK[outcome] > RANK[before]) marks.set(key, outcome);
  }
}

const DIALECTS = Object.keys(VENDOR_NAMESPACES) as VendorDialect[];
const dialectOf = (uri: unknown) => DIALECTS.find((d) => VENDOR_NAMESPACES[d] === uri);

/**
 * Resolves a qualified name to a vendor dialect: through the namespace an element declares on
 * itself (Flowable writes `xmlns:modeler` on each of its elements), else the root's declarations.
 */
export class VendorNames {
  private readonly prefixes = new Map<string, VendorDialect | null>();

  constructor(definitions: ModdleElement) {
    for (const [name, uri] of Object.entries((definitions.$attrs ?? {}) as Record<string, unknown>)) {
      if (name.startsWith('xmlns:')) this.prefixes.set(name.slice('xmlns:'.length), dialectOf(uri) ?? null);
    }
    // The usual prefixes read even when the root does not declare them (as Dialects reads them).
    for (const d of DIALECTS)
      if (![...this.prefixes.values()].includes(d) && !this.prefixes.has(d)) this.prefixes.set(d, d);
  }

  resolve(qualified: string, declaredOn?: ModdleElement): { dialect: VendorDialect; name: string } | null {
    const colon = qualified.indexOf(':');
    if (colon < 0 || qualified.startsWith('xmlns:')) return null;
    const prefix = qualified.slice(0, colon);
    const local = declaredOn
      ? (declaredOn[`xmlns:${prefix}`] ??
        (declaredOn.$attrs as Record<string, unknown> | undefined)?.[`xmlns:${prefix}`])
      : undefined;
    const dialect = local !== undefined ? dialectOf(local) : this.prefixes.get(prefix);
    return dialect ? { dialect, name: `${dialect}:${qualified.slice(colon + 1)}` } : null;
  }
}

/** Parts reported under the element they belong to (their ids are nowhere in a definition). */
const PART = /(EventDefinition|LoopCharacteristics|Expression)$/;
/** Where the picture lives, and what only points elsewhere. */
const NOT_WALKED = new Set(['diagrams', 'extensionElements', 'di', '$parent']);

/**
 * Every vendor feature of the file with its outcome, and those nobody marked. `idOf` gives the
 * Trellis id of a BPMN element (renamed ids as the definition has them).
 */
export function sweep(
  definitions: ModdleElement,
  ledger: Ledger,
  names: VendorNames,
  idOf: (e: ModdleElement) => string,
): { features: AccountedFeature[]; unaccounted: Unaccounted[] } {
  const features: AccountedFeature[] = [];
  const unaccounted: Unaccounted[] = [];
  const seen = new Set<ModdleElement>();

  const vendor = (
    v: ModdleElement,
    owner: string,
    path: string,
    dialect: VendorDialect,
    inherited: Outcome | undefined,
  ) => {
    const own = ledger.outcome(v, '') ?? inherited;
    if (own === undefined) unaccounted.push({ elementId: owner, name: path, dialect, ...valueOf(v) });
    const outcome = own ?? 'not-run';
    features.push({ elementId: owner, name: path, outcome });
    // Inside a feature that is not run (or ignored), everything shares its outcome; inside a
    // translated one, each part needs its own mark.
    const within = ledger.outcome(v, ALL) ?? (outcome === 'translated' ? undefined : outcome);
    for (const [key, value] of Object.entries(v)) {
      if (key.startsWith('$') || key.startsWith('xmlns') || !isScalar(value)) continue;
      const attribute = ledger.outcome(v, key) ?? within;
      if (attribute === undefined)
        unaccounted.push({ elementId: owner, name: `${path}@${key}`, dialect, value: String(value) });
      features.push({ elementId: owner, name: `${path}@${key}`, outcome: attribute ?? 'not-run' });
    }
    for (const child of list(v.$children)) {
      const r = names.resolve(child.$type, child);
      // A child of another namespace inside a vendor element is the vendor's business.
      vendor(child, owner, `${path}/${r?.name ?? child.$type}`, r?.dialect ?? dialect, within);
    }
  };

  const visit = (e: ModdleElement, owner: string, inherited: Outcome | undefined) => {
    if (seen.has(e)) return;
    seen.add(e);
    const here = typeof e.id === 'string' && e.id !== '' && !PART.test(e.$type) ? idOf(e) : owner;
    const within = ledger.outcome(e, ALL) ?? inherited;
    for (const [key, value] of Object.entries((e.$attrs ?? {}) as Record<string, unknown>)) {
      const r = names.resolve(key);
      if (!r || !isScalar(value)) continue;
      const outcome = ledger.outcome(e, r.name) ?? within;
      if (outcome === undefined)
        unaccounted.push({ elementId: here, name: r.name, dialect: r.dialect, value: String(value) });
      features.push({ elementId: here, name: r.name, outcome: outcome ?? 'not-run' });
    }
    for (const x of list((e.extensionElements as ModdleElement | undefined)?.values)) {
      const r = names.resolve(x.$type, x);
      if (r) vendor(x, here, r.name, r.dialect, within);
    }
    for (const child of containedOf(e)) visit(child, here, within);
  };

  visit(
    definitions,
    typeof definitions.id === 'string' && definitions.id !== '' ? definitions.id : 'definitions',
    undefined,
  );
  return { features, unaccounted };
}

/** The BPMN elements `e` contains (not those it refers to), by its moddle descriptor. */
function containedOf(e: ModdleElement): ModdleElement[] {
  const descriptor = e.$descriptor as { propertiesByName?: Record<string, { isReference?: boolean }> } | undefined;
  const out: ModdleElement[] = [];
  for (const [key, value] of Object.entries(e)) {
    if (key.startsWith('$') || NOT_WALKED.has(key) || descriptor?.propertiesByName?.[key]?.isReference) continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      const type = child && typeof child === 'object' ? (child as ModdleElement).$type : undefined;
      if (typeof type === 'string' && type.startsWith('bpmn:')) out.push(child as ModdleElement);
    }
  }
  return out;
}

function valueOf(v: ModdleElement): { value?: string } {
  return typeof v.$body === 'string' && v.$body.trim() !== '' ? { value: v.$body.trim() } : {};
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function list(value: unknown): ModdleElement[] {
  return Array.isArray(value) ? (value as ModdleElement[]) : value ? [value as ModdleElement] : [];
}
