import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: "ChatKit Todo",
  description: "A to-do list you manage by chatting with an AI assistant.",
};

// Every page renders per request: its scripts need the nonce of that response's Content-Security-Policy (proxy.ts).
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
