import { z } from "zod";
import { defineConnector } from "../sdk";

// Placeholder until the Intacct connector lands: no nodes yet.
export const intacct = defineConnector({
  system: "intacct",
  title: "Intacct",
  description: "",
  config: z.object({}),
  secrets: z.object({}),
  createClient: () => ({}),
  test: async () => ({ ok: false, message: "not available yet" }),
  nodes: [],
});
