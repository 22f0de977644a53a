import type { AnyConnectorDefinition, AnyNodeDefinition } from "../../connectors/sdk";
import { httpPost } from "./http-post";
import { branch, filter, lookup, mapFields } from "./transforms";
import { manualTrigger, scheduleTrigger, webhookSecretConnector, webhookTrigger } from "./triggers";

export const coreNodes: AnyNodeDefinition[] = [manualTrigger, scheduleTrigger, webhookTrigger, mapFields, lookup, filter, branch, httpPost];
export const coreConnectors: AnyConnectorDefinition[] = [webhookSecretConnector];
