/**
 * Payload paths: where a field sits in the record a run was started with, written `customer.id`,
 * `lines[0].sku`, `lines[*].sku` (any line) or `["ship-to"].zip` (a name that is not a plain
 * identifier); at most 12 steps. Pure (zod only), so the Runs page checks a path as it is typed
 * with the same rules the server applies.
 */
import { z } from "zod";

export type PathStep = string | number | "*";

const MAX_STEPS = 12;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/** Parse a payload path into its steps; throws an Error saying where the path is wrong. */
export function parsePayloadPath(text: string): PathStep[] {
  const steps: PathStep[] = [];
  let rest = text.trim();
  let position = 0;
  const fail = (why: string): never => {
    throw new Error(`payload path ${JSON.stringify(text)}: ${why} at character ${position + 1}; write it like customer.id, lines[0].sku or lines[*].sku`);
  };
  if (!rest) fail("it is empty");
  let expectName = true;
  while (rest) {
    if (rest.startsWith("[")) {
      const index = /^\[(\d{1,6}|\*)\]/.exec(rest);
      const quoted = /^\["((?:[^"\\]|\\.){1,200})"\]/.exec(rest);
      if (index) {
        if (steps.length === 0) fail("it must start with a field name");
        steps.push(index[1] === "*" ? "*" : Number(index[1]));
        rest = rest.slice(index[0].length);
        position += index[0].length;
      } else if (quoted) {
        let name: string;
        try {
          name = JSON.parse(`"${quoted[1]}"`) as string;
        } catch {
          name = fail("the quoted name has a bad escape");
        }
        steps.push(name);
        rest = rest.slice(quoted[0].length);
        position += quoted[0].length;
      } else {
        fail('a bracket holds an index ([0]), [*] or a quoted name (["ship-to"])');
      }
      expectName = false;
    } else if (rest.startsWith(".")) {
      if (expectName) fail("a name is missing before the dot");
      rest = rest.slice(1);
      position += 1;
      const name = IDENTIFIER.exec(rest);
      if (!name) fail("a field name must follow the dot");
      steps.push(name![0]);
      rest = rest.slice(name![0].length);
      position += name![0].length;
    } else {
      if (!expectName) fail("a dot or a bracket is missing");
      const name = IDENTIFIER.exec(rest);
      if (!name) fail("a field name starts with a letter, _ or $");
      steps.push(name![0]);
      rest = rest.slice(name![0].length);
      position += name![0].length;
      expectName = false;
    }
    if (steps.length > MAX_STEPS) fail(`it has more than ${MAX_STEPS} steps`);
  }
  return steps;
}

export const payloadPathSchema = z
  .string()
  .max(300, "payload path: at most 300 characters")
  .superRefine((text, ctx) => {
    try {
      parsePayloadPath(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

export const payloadFilterSchema = z.object({
  path: payloadPathSchema,
  value: z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
});

export type PayloadFilter = z.infer<typeof payloadFilterSchema>;
