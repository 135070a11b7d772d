// dmn-moddle ships no type declarations; what Trellis uses of it.
declare module 'dmn-moddle' {
  export interface Moddle {
    fromXML(xml: string, root?: string): Promise<{ rootElement: unknown; warnings: { message: string }[] }>;
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
  export default class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, root?: string): Promise<{ rootElement: unknown; warnings: { message: string }[] }>;
  }
}
