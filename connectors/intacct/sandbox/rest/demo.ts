/** Demo credentials of the sandbox's REST API: the registered client and its Web Services user. */
export const REST_DEMO = {
  clientId: "ledgerline-sandbox.app.sage.com",
  clientSecret: "sandbox-rest-secret-8d3f1a",
  /** `userId@companyId` of the demo company's Web Services user (client credentials). */
  username: "xml_gateway@LEDGERLINE-DEMO",
};

export const REST_BASE_PATH = "/ia/api/v1";
