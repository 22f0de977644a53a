import { z } from "zod";
import { defineConnector } from "../sdk";

// Placeholder until the Avalara connector lands: no nodes yet.
export const avalara = defineConnector({
  system: "avalara",
  title: "Avalara",
  description: "",
  config: z.object({}),
  secrets: z.object({}),
  createClient: () => ({}),
  test: async () => ({ ok: false, message: "not available yet" }),
  nodes: [],
});
