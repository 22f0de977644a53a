import { z } from "zod";
import { defineConnector } from "../sdk";

// Placeholder until the Exact connector lands: no nodes yet.
export const exact = defineConnector({
  system: "exact",
  title: "Exact",
  description: "",
  config: z.object({}),
  secrets: z.object({}),
  createClient: () => ({}),
  test: async () => ({ ok: false, message: "not available yet" }),
  nodes: [],
});
