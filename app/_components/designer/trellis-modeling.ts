/**
 * What the modeler offers: only the elements Trellis runs. The replace menu (the wrench) and any
 * other popup menu lose the entries the engine's validator would refuse — complex gateways,
 * transactions, ad-hoc subprocesses, compensation, conditional and cancel events — so a designer
 * cannot draw what publishing refuses later. The rule itself lives in the validator (notRunReason).
 */
import { PopupEntries } from 'bpmn-js/lib/features/popup-menu/PopupEntries';
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
  registerProvider(id: string, priority: number, provider: { getPopupMenuEntries(target: unknown): (entries: Record<string, unknown>) => Record<string, unknown> }): void;
}

function OnlyWhatRuns(this: unknown, popupMenu: PopupMenu) {
  const provider = {
    getPopupMenuEntries: () => (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([id]) => offered(id))),
  };
  for (const id of ['bpmn-replace', 'bpmn-append', 'bpmn-create']) popupMenu.registerProvider(id, 100, provider);
}
OnlyWhatRuns.$inject = ['popupMenu'];

/** A bpmn-js module: `additionalModules: [trellisModeling]`. */
export const trellisModeling = { __init__: ['trellisOnlyWhatRuns'], trellisOnlyWhatRuns: ['type', OnlyWhatRuns] };
