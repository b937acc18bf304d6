/**
 * A CodeMirror 6 JSON editor: syntax highlighting, line numbers, folding, bracket matching,
 * undo, and problems from an async `lint` function marked in the text and the gutter.
 *
 * Tab is left to move the focus (keyboard users must be able to leave the editor); indenting is
 * done by the editor on Enter.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { forceLinting, linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export type { Diagnostic };

export interface JsonEditorProps {
  readonly value: string;
  readonly onChange?: (value: string) => void;
  readonly readOnly?: boolean;
  /** Problems to mark; called (debounced) after each change. */
  readonly lint?: (text: string) => Promise<Diagnostic[]> | Diagnostic[];
  readonly lintDelayMs?: number;
  readonly label: string;
  readonly height?: string;
  readonly id?: string;
  readonly testId?: string;
}

export interface JsonEditorHandle {
  focusAt(position: number): void;
  /** Runs the lint function now (after something it depends on changed). */
  relint(): void;
}

export const JsonEditor = forwardRef<JsonEditorHandle, JsonEditorProps>(function JsonEditor(props, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef(props);
  latest.current = props;

  useImperativeHandle(ref, () => ({
    focusAt(position) {
      const v = view.current;
      if (!v) return;
      const at = Math.min(position, v.state.doc.length);
      v.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      v.focus();
    },
    relint() {
      if (view.current) forceLinting(view.current);
    },
  }));

  useEffect(() => {
    const extensions = [
      lineNumbers(),
      highlightActiveLineGutter(),
      foldGutter(),
      history(),
      indentOnInput(),
      bracketMatching(),
      highlightActiveLine(),
      syntaxHighlighting(defaultHighlightStyle),
      json(),
      keymap.of([...defaultKeymap, ...historyKeymap, ...foldKeymap]),
      EditorView.contentAttributes.of({ 'aria-label': props.label, ...(props.id ? { id: props.id } : {}) }),
      EditorState.readOnly.of(props.readOnly ?? false),
      EditorView.editable.of(!props.readOnly),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) latest.current.onChange?.(update.state.doc.toString());
      }),
      EditorView.theme({
        '&': { height: props.height ?? '100%', fontSize: '13px', border: '1px solid var(--border)', borderRadius: '6px', background: '#fff' },
        '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
        '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace', overflow: 'auto' },
        '.cm-gutters': { background: '#f6f7f9', color: '#5b6472', borderRight: '1px solid var(--border)' },
      }),
    ];
    if (props.lint) {
      extensions.push(
        linter(async (v) => (latest.current.lint ? await latest.current.lint(v.state.doc.toString()) : []), { delay: props.lintDelayMs ?? 400 }),
        lintGutter(),
      );
    }
    const v = new EditorView({ parent: host.current!, state: EditorState.create({ doc: props.value, extensions }) });
    view.current = v;
    return () => {
      v.destroy();
      view.current = undefined;
    };
    // The editor is created once; value changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.readOnly, Boolean(props.lint)]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div ref={host} className="json-editor" style={{ height: props.height ?? '100%' }} data-testid={props.testId} />;
});
