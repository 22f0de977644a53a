import type { AnyConnectorDefinition, AnyNodeDefinition } from "../../connectors/sdk";
import { aggregate, summaryClose } from "./aggregate";
import { httpPost } from "./http-post";
import { branch, filter, lookup, mapFields } from "./transforms";
import { manualTrigger, scheduleTrigger, webhookSecretConnector, webhookTrigger } from "./triggers";

export const coreNodes: AnyNodeDefinition[] = [manualTrigger, scheduleTrigger, webhookTrigger, summaryClose, mapFields, lookup, filter, branch, aggregate, httpPost];
export const coreConnectors: AnyConnectorDefinition[] = [webhookSecretConnector];
