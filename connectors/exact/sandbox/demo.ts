/** Demo credentials of the Exact Online sandbox (printed by describe(), used by the "use the sandbox" option). */
export const DEMO = {
  clientId: "5c7b2f0e-93a1-4d7e-8c44-1e2f6a9b0d31",
  clientSecret: "sandbox-client-secret-2f8c",
  webhookSecret: "sandbox-webhook-secret-91ad",
  redirectUris: ["*"],
  user: { email: "finance@ledgerline-demo.example", name: "Dana Fischer", password: "demo" },
  /** The US demo company: sells to customers in WA, CA, NY, TX and in Europe. */
  usDivision: 1001,
  /** One division per region: NL 2001, BE 3001, UK 4001, DE 5001, FR 6001, ES 7001, US 1001. */
  divisions: { US: 1001, NL: 2001, BE: 3001, UK: 4001, DE: 5001, FR: 6001, ES: 7001 },
  /** A second US company the demo user also has (its own ledgers and rate limits): for connections serving several divisions. */
  usSecondDivision: 1002,
  /** Exists in the US region but the demo user has no access (403 WrongDivision). */
  forbiddenDivision: 1999,
} as const;
