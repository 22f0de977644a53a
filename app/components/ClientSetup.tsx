"use client";
/** Browser-wide settings that must run before any other client module builds state (see each import). */
import "../lib/zod-config";

export function ClientSetup() {
  return null;
}
