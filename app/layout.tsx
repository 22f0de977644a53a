import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Shell } from "./components/Shell";
import { Providers } from "./lib/trpc";
import "./globals.css";

export const metadata: Metadata = {
  title: "Ledgerline",
  description: "Integration builder for finance teams",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
