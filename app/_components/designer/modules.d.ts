/** Types for modules that ship none. diagram-js-minimap: a diagram-js module (an overview of the whole diagram; the rectangle pans the view). */
declare module 'diagram-js-minimap' {
  const minimapModule: { __init__: string[]; minimap: unknown[] };
  export default minimapModule;
}

/** @bpmn-io/feel-editor ships no types: the parts the designer uses (feel-field.tsx). */
declare module '@bpmn-io/feel-editor' {
  export default class FeelEditor {
    constructor(config: Record<string, unknown>);
  }
}
