'use client';

/**
 * A FEEL field: bpmn-io's FEEL editor (CodeMirror, with FEEL highlighting, its linter underlining
 * what does not parse, and completion of the built-in functions and of the variables in scope,
 * which the engine's typed-variable analysis lists with their types). The message under the field
 * comes from the engine's own FEEL checker, the one the validator and the runtime use. Writes when
 * the field loses focus or on Enter, as the other panel fields do.
 */
import FeelEditor from '@bpmn-io/feel-editor';
import { feelBuiltins } from '@camunda/feel-builtins';
import { useEffect, useId, useRef, useState } from 'react';
import { checkExpression } from '@/engine/expressions/feel';

export interface FeelVariable {
  name: string;
  /** Shown beside the name in the completion list (e.g. "number"). */
  detail?: string;
}

/** The standard FEEL functions (not Camunda's extensions, which the engine does not have), without the clock ones the sandbox refuses. */
const BUILTINS = feelBuiltins.filter((b) => b.name !== 'now' && b.name !== 'today');

interface Editor {
  setValue(value: string): void;
  setVariables(variables: FeelVariable[]): void;
  _cmEditor: { state: { doc: { toString(): string } }; destroy(): void; hasFocus: boolean };
}

export function FeelField({
  label,
  value,
  onCommit,
  variables,
  hint,
  invalidMessage,
  placeholder,
  testId,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  variables: FeelVariable[];
  hint?: string;
  /** The message for a problem the engine's checker found, given its text. */
  invalidMessage: (problem: string) => string;
  placeholder?: string;
  testId?: string;
}) {
  const id = useId();
  const container = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | null>(null);
  const [typed, setTyped] = useState(value);
  // The latest props, for the editor's callbacks (made once).
  const latest = useRef({ value, onCommit });
  latest.current = { value, onCommit };

  useEffect(() => {
    if (!container.current) return;
    const commit = () => {
      const text = editor.current?._cmEditor.state.doc.toString() ?? '';
      if (text !== latest.current.value) latest.current.onCommit(text);
    };
    const e = new FeelEditor({
      container: container.current,
      value,
      placeholder,
      variables,
      builtins: BUILTINS,
      onChange: (text: string) => setTyped(text),
      onKeyDown: (event: KeyboardEvent) => {
        // One line: Enter writes (a completion list open takes Enter for itself first).
        if (event.key === 'Enter' && !event.defaultPrevented) {
          event.preventDefault();
          commit();
        }
      },
      contentAttributes: {
        'aria-labelledby': `${id}-label`,
        'aria-describedby': `${id}-note`,
        ...(testId ? { 'data-testid': testId } : {}),
      },
    }) as unknown as Editor;
    editor.current = e;
    const content = container.current.querySelector('.cm-content');
    content?.addEventListener('blur', commit);
    return () => {
      content?.removeEventListener('blur', commit);
      e._cmEditor.destroy();
      editor.current = null;
    };
    // Made once per field; value and variables follow below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value changed elsewhere (undo, another field) replaces what the field shows, unless it is being edited.
  useEffect(() => {
    const e = editor.current;
    if (e && !e._cmEditor.hasFocus && e._cmEditor.state.doc.toString() !== value) {
      e.setValue(value);
      setTyped(value);
    }
  }, [value]);

  const names = JSON.stringify(variables);
  useEffect(() => {
    editor.current?.setVariables(JSON.parse(names) as FeelVariable[]);
  }, [names]);

  const problem = typed.trim() === '' ? null : checkExpression(typed.trim());
  return (
    <div className="props-field">
      <span id={`${id}-label`}>{label}</span>
      <div ref={container} className={`feel-field${problem ? ' invalid' : ''}`} />
      <span id={`${id}-note`} className={problem ? 'field-error' : 'muted small'} role={problem ? 'alert' : undefined}>
        {problem ? invalidMessage(problem.message) : hint}
      </span>
    </div>
  );
}
