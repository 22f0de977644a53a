import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ClientSetup } from "./components/ClientSetup";
import { Shell } from "./components/Shell";
import { Providers } from "./lib/trpc";
import "./globals.css";

// Rendered per request: each page carries the script nonce its policy names (proxy.ts).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Ledgerline",
  description: "Integration builder for finance teams",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ClientSetup />
        <Providers>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
