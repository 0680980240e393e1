import { DocumentEditor } from '../formats/document-editor.js';
import { FixtureDocument, type DocumentSyntax } from '../formats/fixture-document.js';
import type { JsonPointer } from '../model/fixture.js';
import type { FixtureEdit } from './plan-fixture-edits.js';

/**
 * Applies edits to a fixture's text one at a time (each re-reads the text, so pointers stay
 * right), keeping its layout. Edits inside a string holding JSON are made to that JSON's own
 * text, so it stays compact or pretty as it was, and the string is written back in its own
 * quoting style.
 */
export function applyFixtureEdits(text: string, syntax: DocumentSyntax, edits: readonly FixtureEdit[]): string {
  const editor = new DocumentEditor(text, syntax);
  for (const edit of edits) {
    if (edit.op === 'replace') editor.replaceValue(edit.pointer, edit.value);
    else if (edit.op === 'remove') editor.removeMember(edit.pointer);
    else if (edit.op === 'rename') editor.renameKey(edit.pointer, edit.key);
    else if (edit.op === 'insert') editor.insertMember(edit.pointer, edit.key, edit.value);
    else {
      const inner = stringAt(editor.text, syntax, edit.pointer);
      if (inner === undefined) continue;
      const updated = applyFixtureEdits(inner, 'json', edit.edits);
      if (updated !== inner) editor.replaceValue(edit.pointer, updated);
    }
  }
  return editor.text;
}

function stringAt(text: string, syntax: DocumentSyntax, pointer: JsonPointer): string | undefined {
  let value: unknown = FixtureDocument.parse('fixture', text, syntax).value;
  for (const step of pointer) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return typeof value === 'string' ? value : undefined;
}
