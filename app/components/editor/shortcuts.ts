"use client";
/**
 * The editor's keyboard shortcuts (Delete, undo/redo, copy/paste, select all, Ctrl+S to save)
 * and the warning before leaving with unsaved changes.
 */
import { useEffect, useRef } from "react";
import type { EditorStore } from "./editor-store";

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
}

export function useEditorShortcuts(store: EditorStore, options: { save: () => void; canSave: boolean }) {
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        if (latest.current.canSave) latest.current.save();
        return;
      }
      if (isTyping(e.target)) return;
      const s = store.getState();
      if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        s.deleteSelected();
      } else if (mod && key === "z" && !e.shiftKey) {
        e.preventDefault();
        s.undo();
      } else if ((mod && key === "z" && e.shiftKey) || (mod && key === "y")) {
        e.preventDefault();
        s.redo();
      } else if (mod && key === "c") {
        s.copySelected();
      } else if (mod && key === "v") {
        s.paste();
      } else if (mod && key === "a") {
        e.preventDefault();
        s.selectAll();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}

/** The browser asks before leaving while `dirty` (only someone who can save has unsaved changes). */
export function useWarnBeforeLeaving(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const onLeave = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, [dirty]);
}
