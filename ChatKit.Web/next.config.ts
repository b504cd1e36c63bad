import type { NextConfig } from "next";

// The container image (Dockerfile) builds the standalone server; `next start` (the AppHost) uses the normal output.
const nextConfig: NextConfig = {
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["pg"],
};

export default nextConfig;
