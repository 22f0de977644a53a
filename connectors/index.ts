/**
 * Every connector the product ships. The engine reads nodes from here through its registry and
 * never names a connector itself.
 */
import type { AnyConnectorDefinition } from "./sdk";
import { intacct } from "./intacct";
import { avalara } from "./avalara";
import { exact } from "./exact";
import { commerce } from "./commerce";

export const connectors: AnyConnectorDefinition[] = [intacct, avalara, exact, commerce];
