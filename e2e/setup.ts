/**
 * Global setup of the browser-test project: one running product for every browser test file.
 */
import type { TestProject } from "vitest/node";
import { startStack, type Stack } from "./stack";

let stack: Stack | undefined;

export async function setup(project: TestProject) {
  stack = await startStack(process.env.DATABASE_URL!);
  project.provide("baseUrl", stack.baseUrl);
  project.provide("sandboxUrls", stack.sandboxUrls);
  project.provide("demo", stack.demo);
  project.provide("apiToken", stack.apiToken);
  project.provide("mailDir", stack.mailDir);
}

export async function teardown() {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    sandboxUrls: Record<string, string>;
    demo: { email: string; password: string };
    apiToken: string;
    mailDir: string;
  }
}
