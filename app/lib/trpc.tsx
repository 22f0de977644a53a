"use client";
/**
 * The browser side of tRPC: one QueryClient and one tRPC client per browser tab.
 * Use `const trpc = useTRPC()` then `useQuery(trpc.flows.list.queryOptions())`.
 */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "../server/root";
import { currentWorkspaceId, WORKSPACE_HEADER } from "./workspace";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** A session that ended (expired, signed out elsewhere, password reset): back to the sign-in page. */
function toSignInOn401(error: unknown) {
  if (error instanceof TRPCClientError && error.data?.code === "UNAUTHORIZED" && typeof window !== "undefined") {
    if (!window.location.pathname.startsWith("/sign-in")) {
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    }
  }
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: toSignInOn401 }),
        mutationCache: new MutationCache({ onError: toSignInOn401 }),
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            refetchOnWindowFocus: false,
            retry: (count, error) => count < 1 && !(error instanceof TRPCClientError && ["UNAUTHORIZED", "FORBIDDEN"].includes(error.data?.code)),
          },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: "/api/trpc",
          transformer: superjson,
          headers() {
            const id = currentWorkspaceId();
            return id ? { [WORKSPACE_HEADER]: id } : {};
          },
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
