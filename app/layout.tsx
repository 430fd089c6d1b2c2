import type { Metadata } from "next";
import localFont from "next/font/local";
import "./globals.css";

// Served from the package, never fetched from Google at build or run time.
const inter = localFont({
  src: "../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
  variable: "--font-inter",
  display: "swap",
});

export const metadata: Metadata = {
  title: { default: "Titrate", template: "%s · Titrate" },
  description: "Ketamine infusion charting and review",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen font-sans antialiased">{children}</body>
    </html>
  );
}
