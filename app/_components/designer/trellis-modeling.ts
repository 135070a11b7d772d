/**
 * What the modeler offers: only the elements Trellis runs. The replace menu (the wrench) and any
 * other popup menu lose the entries the engine's validator would refuse — complex gateways,
 * transactions, ad-hoc subprocesses, compensation, conditional and cancel events — so a designer
 * cannot draw what publishing refuses later. The rule itself lives in the validator (notRunReason).
 */
import { PopupEntries } from 'bpmn-js/lib/features/popup-menu/PopupEntries';
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor';
import { notRunReason } from '@/engine/validate/validate';

type Target = { type?: string; eventDefinitionType?: string };

/** `bpmn:ComplexGateway` → `complexGateway`; `bpmn:ConditionalEventDefinition` → `conditional`. */
function trellisType(bpmnType: string): string {
  const local = bpmnType.replace(/^bpmn:/, '');
  return local.charAt(0).toLowerCase() + local.slice(1);
}
function eventKind(definitionType: string | undefined): string | undefined {
  return definitionType ? trellisType(definitionType).replace(/EventDefinition$/, '') : undefined;
}

/** Whether a popup entry (by its id: `replace-with-complex-gateway`, `append-conditional-intermediate-catch`) makes something Trellis runs. */
export function offered(entryId: string): boolean {
  const catalog = PopupEntries as Record<string, { target?: Target }>;
  const target = catalog[entryId.replace(/^(replace-with|append|create)-/, '')]?.target;
  if (!target?.type) return true;
  return notRunReason(trellisType(target.type), eventKind(target.eventDefinitionType)) === undefined;
}

interface PopupMenu {
  registerProvider(
    id: string,
    priority: number,
    provider: { getPopupMenuEntries(target: unknown): (entries: Record<string, unknown>) => Record<string, unknown> },
  ): void;
}

function OnlyWhatRuns(this: unknown, popupMenu: PopupMenu) {
  const provider = {
    getPopupMenuEntries: () => (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).filter(([id]) => offered(id))),
  };
  for (const id of ['bpmn-replace', 'bpmn-append', 'bpmn-create']) popupMenu.registerProvider(id, 100, provider);
}
OnlyWhatRuns.$inject = ['popupMenu'];

type Moddle = { $type: string; lang?: string; of?: string; text?: string; values?: Moddle[] };
interface LabelContext {
  element: { businessObject: Moddle & { extensionElements?: Moddle }; labelTarget?: unknown };
  newLabel?: string | null;
}
interface Modeling {
  updateModdleProperties(element: unknown, target: Moddle, props: Record<string, unknown>): void;
}

/** Whether an extension value is a name's translation (`trellis:Translation` without `of`, or of="name"). */
export const isNameTranslation = (v: Moddle) =>
  v.$type === 'trellis:Translation' && (v.of === undefined || v.of === 'name');

/**
 * Business objects whose names the properties panel is writing (both languages at once): bpmn-js
 * updates their label in the same command, which is not a name typed on the canvas.
 */
export const namesWrittenByPanel = new WeakSet<object>();

/**
 * A name typed on the canvas is the name in the page's language (`config.trellis.locale`): when
 * the element keeps its names per language (trellis:Translation), that language's translation
 * becomes the typed text, in the same command (one undo), so the importer, which reads the
 * translations first, sees it. A name cleared on the canvas clears every language's. Only the
 * canvas's label command does this: the properties panel writes both languages itself.
 */
class TypedNameIsTranslation extends CommandInterceptor {
  static override $inject = ['eventBus', 'modeling', 'moddle', 'config.trellis'];
  constructor(
    eventBus: unknown,
    modeling: Modeling,
    moddle: { create(type: string, attrs: Record<string, unknown>): Moddle },
    config: { locale?: string } | undefined,
  ) {
    super(eventBus as ConstructorParameters<typeof CommandInterceptor>[0]);
    const locale = config?.locale ?? 'en';
    this.postExecuted('element.updateLabel', (event: { context: LabelContext }) => {
      const { element, newLabel } = event.context;
      const target = (element.labelTarget ?? element) as LabelContext['element'];
      if (namesWrittenByPanel.has(target.businessObject)) return;
      const extension = target.businessObject.extensionElements;
      const values = extension?.values ?? [];
      const translations = values.filter(isNameTranslation);
      if (!extension || translations.length === 0) return;
      const text = (newLabel ?? '').trim();
      const own = translations.find((v) => v.lang === locale);
      if (!text)
        modeling.updateModdleProperties(target, extension, { values: values.filter((v) => !isNameTranslation(v)) });
      else if (own) modeling.updateModdleProperties(target, own, { text });
      else
        modeling.updateModdleProperties(target, extension, {
          values: [...values, moddle.create('trellis:Translation', { lang: locale, text })],
        });
    });
  }
}

/** A bpmn-js module: `additionalModules: [trellisModeling]`, with `trellis: { locale }` in the modeler's options. */
export const trellisModeling = {
  __init__: ['trellisOnlyWhatRuns', 'trellisTypedNameIsTranslation'],
  trellisOnlyWhatRuns: ['type', OnlyWhatRuns],
  trellisTypedNameIsTranslation: ['type', TypedNameIsTranslation],
};
