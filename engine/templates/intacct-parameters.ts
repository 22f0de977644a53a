/**
 * What the wizard asks for in the Intacct tax templates: values bound to node config fields after
 * `build` (the demo values match the Avalara and Intacct sandboxes).
 */
import type { TemplateParameter } from "./types";

const avalaraCompany: TemplateParameter = {
  key: "companyCode",
  label: "Avalara company",
  description: "The Avalara company that calculates and records the tax.",
  system: "avalara",
  picker: "companies",
  demo: "DEFAULT",
  bindings: [{ node: "sync", field: "companyCode" }],
};

/** AR adjustment template: accounts come from the tax GL mapping table; only the tax company is asked. */
export const intacctArParameters: TemplateParameter[] = [avalaraCompany];

/** Summary (GLBATCH) template: the tax company and the GL journal of the summary entry. */
export const intacctSummaryParameters: TemplateParameter[] = [
  avalaraCompany,
  {
    key: "journal",
    label: "GL journal",
    description: "The Intacct GL journal the tax summary entries are posted in.",
    system: "intacct",
    picker: "journals",
    demo: "TAX",
    bindings: [{ node: "post", field: "journal" }],
  },
];
