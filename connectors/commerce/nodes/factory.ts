import { nodeFactory } from "../../sdk";
import type { CommerceClient } from "../client";

/** Node declarations bound to the Commerce client and connection. */
export const commerceNode = nodeFactory<CommerceClient>("commerce", { connection: "commerce" });
