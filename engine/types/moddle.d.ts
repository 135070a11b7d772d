// dmn-moddle ships no type declarations; what Trellis uses of it.
declare module 'dmn-moddle' {
  export interface Moddle {
    fromXML(xml: string, root?: string): Promise<{ rootElement: unknown; warnings: { message: string }[] }>;
    toXML(element: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): unknown;
  }
  export function DmnModdle(packages?: Record<string, unknown>, options?: Record<string, unknown>): Moddle;
}

declare module 'bpmn-engine' {
  import type { EventEmitter } from 'node:events';
  export class Engine extends EventEmitter {
    constructor(options: Record<string, unknown>);
    state: string;
    execute(options?: Record<string, unknown>): Promise<unknown>;
    getState(): Promise<unknown>;
  }
}

declare module 'bpmn-moddle' {
  export interface ModdleInstance {
    fromXML(
      xml: string,
      root?: string,
    ): Promise<{ rootElement: unknown; warnings: { message: string }[]; elementsById: Record<string, unknown> }>;
    toXML(element: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): any;
    getType(type: string): unknown;
    ids?: unknown;
  }
  /** bpmn-moddle 10: a factory, given extra packages (extension namespaces) by prefix. */
  export function BpmnModdle(packages?: Record<string, unknown>, options?: Record<string, unknown>): ModdleInstance;
}

declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}
