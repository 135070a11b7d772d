/**
 * Reading what BPMN leaves to vendors: the extension attributes and elements of Camunda 7
 * (`camunda:`), Camunda 8 (`zeebe:`), Flowable (`flowable:`, `activiti:`) and Trellis itself, and
 * turning their expressions (JUEL `${...}`, FEEL `=...`) into Trellis FEEL. Prefixes are resolved
 * through the file's namespace declarations, so `xmlns:c="http://camunda.org/schema/1.0/bpmn"`
 * reads like `camunda:`. Pure: moddle objects in, data out.
 */
import { checkExpression } from '../expressions/feel';
import { juelToFeel, isJuel } from './compat/juel';
import type { ModdleElement } from './read';
import { TRELLIS_NS } from './trellis-moddle';

export const NAMESPACES = {
  camunda: 'http://camunda.org/schema/1.0/bpmn',
  zeebe: 'http://camunda.org/schema/zeebe/1.0',
  flowable: 'http://flowable.org/bpmn',
  activiti: 'http://activiti.org/bpmn',
  trellis: TRELLIS_NS,
} as const;
export type Dialect = keyof typeof NAMESPACES;

/** Dialects whose attributes mean the same things (formKey, candidateGroups, assignee, class, ...). */
export const ENGINE_DIALECTS: readonly Dialect[] = ['camunda', 'flowable', 'activiti'];

export const FEEL_LANGUAGE = 'https://www.omg.org/spec/DMN/20191111/FEEL/';

export class Dialects {
  /** Prefix as written in the file → our canonical dialect name. */
  private readonly prefixes = new Map<string, Dialect>();

  constructor(definitions: ModdleElement) {
    const attrs = (definitions.$attrs ?? {}) as Record<string, string>;
    for (const [name, uri] of Object.entries(attrs)) {
      if (!name.startsWith('xmlns:')) continue;
      const dialect = (Object.keys(NAMESPACES) as Dialect[]).find((d) => NAMESPACES[d] === uri);
      if (dialect) this.prefixes.set(name.slice('xmlns:'.length), dialect);
    }
    // Files that use the usual prefixes without declaring them on the root still read.
    for (const d of Object.keys(NAMESPACES) as Dialect[])
      if (![...this.prefixes.values()].includes(d) && !this.prefixes.has(d)) this.prefixes.set(d, d);
  }

  /** The dialect a qualified name (`camunda:formKey`, `c:in`) belongs to, and its local name. */
  resolve(qualified: string): { dialect: Dialect; local: string } | null {
    const colon = qualified.indexOf(':');
    if (colon < 0) return null;
    const dialect = this.prefixes.get(qualified.slice(0, colon));
    return dialect ? { dialect, local: qualified.slice(colon + 1) } : null;
  }

  /** A vendor attribute's value, from any of `dialects`, with the dialect it came from. */
  attr(
    element: ModdleElement,
    local: string,
    dialects: readonly Dialect[] = ENGINE_DIALECTS,
  ): { dialect: Dialect; value: string } | undefined {
    const attrs = (element.$attrs ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(attrs)) {
      const r = this.resolve(name);
      if (r && r.local === local && dialects.includes(r.dialect) && typeof value === 'string')
        return { dialect: r.dialect, value };
    }
    return undefined;
  }

  /** Every vendor attribute of an element (qualified as written → value), for reporting what was not used. */
  vendorAttrs(element: ModdleElement): { dialect: Dialect; local: string; value: string }[] {
    const attrs = (element.$attrs ?? {}) as Record<string, unknown>;
    return Object.entries(attrs).flatMap(([name, value]) => {
      const r = this.resolve(name);
      return r && r.dialect !== 'trellis' && typeof value === 'string' ? [{ ...r, value }] : [];
    });
  }

  /** Extension elements of a given dialect (any dialect when omitted), with their local names. */
  extensions(
    element: ModdleElement,
    dialects?: readonly Dialect[],
  ): { dialect: Dialect; local: string; element: ModdleElement }[] {
    const ext = element.extensionElements as { values?: ModdleElement[] } | undefined;
    return (ext?.values ?? []).flatMap((child) => {
      const r = this.resolve(child.$type);
      return r && (!dialects || dialects.includes(r.dialect)) ? [{ ...r, element: child }] : [];
    });
  }

  /** The first extension element with this local name, from one of `dialects`. */
  extension(element: ModdleElement, local: string, dialects: readonly Dialect[]): ModdleElement | undefined {
    return this.extensions(element, dialects).find((e) => e.local === local)?.element;
  }
}

/** Children of a generic (unknown-namespace) moddle element, with their local names. */
export function children(element: ModdleElement): { local: string; element: ModdleElement }[] {
  const list = (element.$children ?? []) as ModdleElement[];
  return list.map((c) => ({ local: c.$type.slice(c.$type.indexOf(':') + 1), element: c }));
}

export function text(element: ModdleElement | undefined, key: string): string | undefined {
  const value = element?.[key];
  return typeof value === 'string' ? value : undefined;
}

export type Translated = { ok: true; feel: string; note?: string } | { ok: false; reason: string };

/**
 * A vendor expression as Trellis FEEL (without a leading `=`): `=x` (Camunda 8) is FEEL already;
 * `${x}` / `#{x}` (JUEL) is translated where it is one of the simple kinds; text in the FEEL
 * language is taken as it is; anything else must parse as FEEL to be kept.
 */
export function toFeel(raw: string, language?: string, options: { dueDate?: boolean } = {}): Translated {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'the expression is empty' };
  // Trimmed once, here: `= approved ` is `approved`, so an export and a second import give the same text.
  const body = value.startsWith('=') ? value.slice(1).trim() : value;
  if (body === '') return { ok: false, reason: 'the expression is empty' };
  if (language && /feel/i.test(language)) return checked(body);
  if (language && !/juel|javax\.el|expression-language/i.test(language))
    return { ok: false, reason: `expressions in "${language}" are not run by Trellis; rewrite it in FEEL` };
  if (value.startsWith('=')) {
    const relative = options.dueDate && /^(?:now|today)\(\)\s*\+\s*duration\(\s*"(P[0-9YMWDTHS.]+)"\s*\)$/.exec(body);
    // Trellis FEEL has no clock; "from now" becomes a duration the host counts from the task's creation.
    if (relative)
      return {
        ok: true,
        feel: `"${relative[1]}"`,
        note: `FEEL "${body}" → "${relative[1]}" (a duration from the task's creation)`,
      };
    return checked(body);
  }
  if (isJuel(value)) {
    const date = options.dueDate ? relativeDate(value) : null;
    if (date)
      return { ok: true, feel: date, note: `JUEL "${value}" → FEEL ${date} (a duration from the task's creation)` };
    const result = juelToFeel(value);
    if (!result.ok) return { ok: false, reason: result.reason };
    const problem = checkExpression(result.feel);
    return problem
      ? { ok: false, reason: `the translation "${result.feel}" is not valid FEEL: ${problem.message}` }
      : { ok: true, feel: result.feel, note: `JUEL "${value}" → FEEL "${result.feel}"` };
  }
  return checked(value);
}

function checked(feel: string): Translated {
  const problem = checkExpression(feel);
  return problem
    ? { ok: false, reason: `"${feel}" is not a FEEL expression Trellis accepts: ${problem.message}` }
    : { ok: true, feel };
}

/** Camunda's `${dateTime().plusWeeks(1).toDate()}` idiom, as an ISO 8601 duration literal. */
function relativeDate(juel: string): string | null {
  const m =
    /^[$#]\{\s*dateTime\(\)\s*\.plus(Minutes|Hours|Days|Weeks|Months|Years)\(\s*(\d{1,4})\s*\)\s*(?:\.toDate\(\)\s*)?\}$/.exec(
      juel,
    );
  if (!m) return null;
  const n = Number(m[2]);
  const unit = m[1]!;
  const duration =
    unit === 'Minutes'
      ? `PT${n}M`
      : unit === 'Hours'
        ? `PT${n}H`
        : unit === 'Days'
          ? `P${n}D`
          : unit === 'Weeks'
            ? `P${n * 7}D`
            : unit === 'Months'
              ? `P${n}M`
              : `P${n}Y`;
  return `"${duration}"`;
}

/**
 * A list-or-expression attribute (candidate groups, candidate users): `a, b` is a list, an
 * expression gives the list at run time. `toItem` maps each literal item (e.g. to a group key).
 */
export function listOrExpression(
  raw: string,
  toItem: (s: string) => string,
): { list: string[] } | { expression: string } | { error: string } {
  const value = raw.trim();
  if (value.startsWith('=') || isJuel(value)) {
    const t = toFeel(value);
    return t.ok ? { expression: `=${t.feel}` } : { error: t.reason };
  }
  const list = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(toItem),
    ),
  ];
  return list.length > 0 ? { list } : { error: 'the list is empty' };
}

/** A literal-or-expression attribute (assignee): a literal stays, an expression becomes `=FEEL`. */
export function literalOrExpression(raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  if (!value.startsWith('=') && !isJuel(value)) return { value };
  const t = toFeel(value);
  return t.ok ? { value: `=${t.feel}` } : { error: t.reason };
}
