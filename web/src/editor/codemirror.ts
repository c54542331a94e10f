import { defaultKeymap, indentWithTab } from '@codemirror/commands'
import { markdown } from '@codemirror/lang-markdown'
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search'
import { Compartment, EditorState, type Extension } from '@codemirror/state'
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers } from '@codemirror/view'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

/** A CodeMirror editor bound to a Y.Text, and the switch between editing and read-only. */
export interface CollaborativeEditor {
  readonly view: EditorView
  setReadOnly(readOnly: boolean): void
  destroy(): void
}

/**
 * CodeMirror 6 on `ytext`: line numbers, Markdown highlighting, search, and undo/redo through
 * a Y.UndoManager (yCollab), which undoes only this person's edits, never a collaborator's.
 * CodeMirror's own history is left out for that reason. Remote cursors and selections come
 * from the Awareness (each peer's `user: {name, color, colorLight}`).
 */
export function createEditor(parent: HTMLElement, ytext: Y.Text, awareness: Awareness, options: { readOnly: boolean; label: string }): CollaborativeEditor {
  const access = new Compartment()
  const accessFor = (readOnly: boolean): Extension => [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]
  const undoManager = new Y.UndoManager(ytext)
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        drawSelection(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        EditorView.lineWrapping,
        markdown(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        search({ top: true }),
        keymap.of([...yUndoManagerKeymap, ...searchKeymap, ...defaultKeymap, indentWithTab]),
        yCollab(ytext, awareness, { undoManager }),
        access.of(accessFor(options.readOnly)),
        EditorView.contentAttributes.of({ 'aria-label': options.label, 'aria-multiline': 'true' }),
      ],
    }),
  })
  return {
    view,
    setReadOnly: (readOnly) => view.dispatch({ effects: access.reconfigure(accessFor(readOnly)) }),
    destroy: () => {
      view.destroy()
      undoManager.destroy()
    },
  }
}
