// @ts-check
/**
 * Security headers for every response. Pages get their Content-Security-Policy, with a fresh
 * script nonce, from proxy.ts; JSON API responses may load nothing at all.
 */
const apiCsp = "default-src 'none'; frame-ancestors 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  serverExternalPackages: ["@node-rs/argon2", "pg", "@prisma/adapter-pg", "pdfkit", "nodemailer"],
  // scripts/test-all.sh runs `tsc --noEmit` first and sets this; every other build type-checks
  typescript: { ignoreBuildErrors: process.env.TITRATE_TYPECHECKED === "1" },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiCsp }] },
      // the offline service worker (docs/decisions/0017-offline-charting.md): always revalidated, so a new version is picked up
      {
        source: "/sw.js",
        headers: [
          { key: "Cache-Control", value: "no-cache" },
          { key: "Content-Security-Policy", value: "default-src 'self'; frame-ancestors 'none'" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
