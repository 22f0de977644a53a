/**
 * OAuth 2.0 token pair of one Exact Online connection, kept in the connection state.
 *
 * Rules this module enforces (Exact's, and why):
 * - Access tokens live 600 s; `expires_in` arrives as a string.
 * - Every refresh returns a new refresh token and kills the previous one ("Old refresh token
 *   used."), so the new pair is written to the state store before the access token is used.
 * - Only one refresh per connection may be in flight across every worker process: the SDK's
 *   `CredentialCache` runs refreshes inside `env.state.withLock` and re-reads the state after
 *   acquiring it (another process may have refreshed meanwhile).
 * - No new token may be requested within 570 s of the previous request; the moment of each
 *   token-endpoint call is written to the state *before* the call, so even a lost response counts.
 * - A dead refresh token (old, expired, revoked) cannot heal by retrying: the connection is
 *   marked `needs_reconnect` in the state and every call throws NeedsReviewError until a person
 *   clicks Connect again (which writes a fresh state through `exchangeCode`).
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-oauth-eol-oauth-devstep3
 */
import type { ConnectorEnv } from "../sdk";
import { CredentialCache, NeedsReviewError, RetryableError } from "../sdk";

export const ACCESS_TOKEN_SECONDS = 600;
/** Exact forbids asking for a new access token within 570 s of the previous request. */
export const MIN_TOKEN_INTERVAL_MS = 570_000;
/** Refresh this long before expiry (Exact allows refreshing in the last 30 s). */
export const REFRESH_MARGIN_MS = 30_000;

export interface ErrorLog {
  /** Epoch ms of recent error responses per endpoint (Exact blocks the app key at 10 per hour). */
  [endpoint: string]: number[];
}

export interface ExactConnectionState {
  v: 1;
  /** Regional base URL the tokens were issued by; tokens are refused by every other region. */
  endpoint: string;
  accessToken?: string;
  /** Epoch ms. */
  accessExpiresAt?: number;
  refreshToken?: string;
  /** Epoch ms of the last call to the token endpoint (the 570 s rule). */
  lastTokenRequestAt?: number;
  /** Set when the refresh token is dead: a person must reconnect. */
  reconnect?: { reason: string; at: number };
  errors?: ErrorLog;
}

export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

/** What the token manager needs from the transport (the only module that speaks HTTP). */
export interface TokenEndpoint {
  postToken(form: URLSearchParams, label: string, now: number): Promise<TokenResponse>;
}

export function reconnectError(reason: string, details?: Record<string, unknown>): NeedsReviewError {
  return new NeedsReviewError(`Exact Online connection needs to be reconnected: ${reason}`, {
    system: "exact",
    reasonCode: "reconnect_required",
    connectionHealth: "needs_reconnect",
    code: "reconnect_required",
    details,
  });
}

export class TokenManager {
  private cached?: ExactConnectionState;
  /** The token pair: the whole connection state is the slot; a refusal clears the access token only. */
  private readonly pair: CredentialCache<ExactConnectionState, ExactConnectionState>;

  constructor(
    private readonly env: ConnectorEnv,
    private readonly endpoint: string,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly credentials: { clientId: string; clientSecret: string },
  ) {
    this.pair = new CredentialCache<ExactConnectionState, ExactConnectionState>({
      state: env.state,
      pick: (state) => state,
      put: (state, next) => next ?? (state && { ...state, accessToken: undefined, accessExpiresAt: undefined }),
      usable: (state) => this.usable(state, this.env.now()) !== undefined,
      secret: (state) => state.accessToken,
      issue: (state) => this.refresh(state),
      adopt: (state) => this.remember(state),
    });
  }

  /** The state as last read or written by this client (for the error budget). */
  current(): ExactConnectionState | undefined {
    return this.cached;
  }

  private remember(state: ExactConnectionState | undefined): ExactConnectionState | undefined {
    this.cached = state;
    if (state?.accessToken) this.env.http.redactor.add(state.accessToken);
    if (state?.refreshToken) this.env.http.redactor.add(state.refreshToken);
    return state;
  }

  async read(): Promise<ExactConnectionState | undefined> {
    return this.remember(await this.env.state.get<ExactConnectionState>());
  }

  private usable(state: ExactConnectionState | undefined, now: number): string | undefined {
    if (!state?.accessToken || state.accessExpiresAt === undefined) return undefined;
    if (state.endpoint !== this.endpoint) return undefined;
    return now < state.accessExpiresAt - REFRESH_MARGIN_MS ? state.accessToken : undefined;
  }

  private assertConnected(state: ExactConnectionState | undefined): asserts state is ExactConnectionState {
    if (!state || (!state.refreshToken && !state.accessToken)) {
      throw reconnectError("this connection has not been authorised yet; use Connect to sign in to Exact Online");
    }
    if (state.reconnect) throw reconnectError(state.reconnect.reason, { since: new Date(state.reconnect.at).toISOString() });
    if (state.endpoint !== this.endpoint) {
      throw reconnectError(
        `the connection was authorised on ${state.endpoint} but is now configured for ${this.endpoint}; tokens are valid in one region only`,
      );
    }
  }

  /** A valid access token, refreshing (once, across all processes) when it is about to expire. */
  async accessToken(): Promise<string> {
    const state = await this.pair.get();
    return state.accessToken!;
  }

  /**
   * The API refused `token` (401): forget it, so the next `accessToken()` refreshes. Only the
   * token that was refused is dropped; a newer one written by another process is kept.
   */
  async rejected(token: string): Promise<void> {
    await this.pair.invalidate(token);
  }

  /**
   * The refresh grant, run by the credential cache under the connection lock once it has found
   * no usable token in the state (another process may have refreshed while it waited).
   */
  private async refresh(state: ExactConnectionState | undefined): Promise<ExactConnectionState> {
    const now = this.env.now();
    this.assertConnected(state);
    if (!state.refreshToken) throw reconnectError("no refresh token is stored for this connection");
    const sinceLast = state.lastTokenRequestAt === undefined ? Infinity : now - state.lastTokenRequestAt;
    if (sinceLast < MIN_TOKEN_INTERVAL_MS) {
      // Exact counts an early request against the app; waiting is always the right answer.
      throw new RetryableError(
        `Exact Online access token cannot be renewed yet: Exact allows one token request per ${MIN_TOKEN_INTERVAL_MS / 1000} s`,
        { system: "exact", code: "token_interval", retryAfterMs: MIN_TOKEN_INTERVAL_MS - sinceLast },
      );
    }
    // Record the attempt first: a lost response must still count towards the 570 s rule.
    const attempt: ExactConnectionState = { ...state, lastTokenRequestAt: now };
    await this.env.state.set(attempt);
    this.remember(attempt);
    let response: TokenResponse;
    try {
      response = await this.tokenEndpoint.postToken(
        new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: state.refreshToken,
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
        }),
        "oauth2 token (refresh)",
        now,
      );
    } catch (error) {
      if (error instanceof NeedsReviewError && error.reasonCode === "reconnect_required") {
        const dead: ExactConnectionState = {
          ...attempt,
          accessToken: undefined,
          accessExpiresAt: undefined,
          reconnect: { reason: error.message.replace(/^Exact Online connection needs to be reconnected: /, ""), at: now },
        };
        await this.env.state.set(dead);
        this.remember(dead);
      }
      throw error;
    }
    const next: ExactConnectionState = {
      ...attempt,
      accessToken: response.accessToken,
      refreshToken: response.refreshToken,
      accessExpiresAt: now + response.expiresInSeconds * 1000,
      reconnect: undefined,
    };
    // Persisted by the cache before use: the previous refresh token is dead from here on.
    this.env.log.info("Exact Online access token renewed", { expiresAt: new Date(next.accessExpiresAt!).toISOString() });
    return next;
  }

  /** The Connect button's callback: trade the authorization code for the first token pair. */
  async exchangeCode(code: string, redirectUri: string): Promise<void> {
    if (!code) throw reconnectError("the authorization callback carried no code");
    await this.env.state.withLock(async () => {
      const now = this.env.now();
      const previous = await this.read();
      const response = await this.tokenEndpoint.postToken(
        new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
        }),
        "oauth2 token (authorization code)",
        now,
      );
      const next: ExactConnectionState = {
        v: 1,
        endpoint: this.endpoint,
        accessToken: response.accessToken,
        refreshToken: response.refreshToken,
        accessExpiresAt: now + response.expiresInSeconds * 1000,
        lastTokenRequestAt: now,
        // The error budget belongs to the app key and division, not to the token pair.
        errors: previous?.errors,
      };
      await this.env.state.set(next);
      this.remember(next);
      this.pair.forget();
    });
  }

  /** Record an error response against the endpoint's hourly budget; returns the recent count. */
  async recordError(endpointKey: string, windowMs: number): Promise<number> {
    return this.env.state.withLock(async () => {
      const now = this.env.now();
      const state = await this.read();
      if (!state) return 0;
      const errors = { ...(state.errors ?? {}) };
      const list = (errors[endpointKey] ?? []).filter((t) => now - t < windowMs);
      list.push(now);
      errors[endpointKey] = list;
      for (const key of Object.keys(errors)) {
        errors[key] = errors[key].filter((t) => now - t < windowMs);
        if (errors[key].length === 0) delete errors[key];
      }
      const next = { ...state, errors };
      await this.env.state.set(next);
      this.remember(next);
      return list.length;
    });
  }
}
