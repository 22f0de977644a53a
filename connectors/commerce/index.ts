import { z } from "zod";
import { defineConnector } from "../sdk";

// Placeholder until the Commerce connector lands: no nodes yet.
export const commerce = defineConnector({
  system: "commerce",
  title: "Commerce",
  description: "",
  config: z.object({}),
  secrets: z.object({}),
  createClient: () => ({}),
  test: async () => ({ ok: false, message: "not available yet" }),
  nodes: [],
});
