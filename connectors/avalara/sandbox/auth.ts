/**
 * HTTP Basic authentication as AvaTax checks it: `accountId:licenseKey` or `username:password`.
 * Bearer tokens are not issued by the sandbox.
 * https://developer.avalara.com/avatax/authentication-in-avatax/
 */
import type { IncomingMessage } from "node:http";
import type { SandboxAccount, SandboxState, SandboxUser } from "./seed";
import { AvaTaxFault } from "./wire";

export type AuthenticationType = "None" | "UsernamePassword" | "AccountIdLicenseKey" | "OpenIdBearerToken";

export interface Principal {
  account: SandboxAccount;
  user?: SandboxUser;
  authenticationType: AuthenticationType;
}

/** The principal, or undefined when the request has no or wrong credentials. */
export function authenticate(state: SandboxState, req: IncomingMessage): Principal | undefined {
  const header = req.headers.authorization ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const name = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  for (const account of state.accounts) {
    if (account.accountId === name && account.licenseKey === secret) {
      return { account, authenticationType: "AccountIdLicenseKey" };
    }
    const user = account.users.find((u) => u.userName.toLowerCase() === name.toLowerCase() && u.password === secret);
    if (user) return { account, user, authenticationType: "UsernamePassword" };
  }
  return undefined;
}

export function requirePrincipal(state: SandboxState, req: IncomingMessage): Principal {
  const principal = authenticate(state, req);
  if (principal) return principal;
  const hasHeader = Boolean(req.headers.authorization);
  throw new AvaTaxFault(401, hasHeader ? "AuthenticationException" : "AuthenticationIncomplete", "Authentication failed.", {
    target: "HttpRequestHeaders",
    description: hasHeader
      ? "The user or account could not be authenticated."
      : "Missing authentication or unable to authenticate the user or the account.",
  });
}
