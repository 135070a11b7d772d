/**
 * What the properties panel and its field groups (assignment-fields.tsx, connector-fields.tsx) see of bpmn-js: the
 * selected diagram element and the modeler services they write it through. Its own module so that the field groups
 * and the panel that holds them both import it, and not each other.
 */
export type Moddle = { $type: string; get(name: string): unknown; [key: string]: unknown };

export interface DiagramElement {
  id: string;
  type: string;
  businessObject: Moddle & {
    id: string;
    name?: string;
    sourceRef?: Moddle;
    eventDefinitions?: Moddle[];
    extensionElements?: Moddle & { values?: Moddle[] };
  };
}
export interface ModelerServices {
  modeling: {
    updateProperties(element: DiagramElement, props: Record<string, unknown>): void;
    updateModdleProperties(element: DiagramElement, target: Moddle, props: Record<string, unknown>): void;
  };
  moddle: { create(type: string, attrs?: Record<string, unknown>): Moddle };
  elementRegistry: {
    get(id: string): DiagramElement | undefined;
    filter(fn: (e: DiagramElement) => boolean): DiagramElement[];
  };
}
