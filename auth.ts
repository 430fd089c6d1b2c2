import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticate } from "@/lib/server/login";
import { JWT_MAX_AGE_S } from "@/lib/session-policy";

export { ABSOLUTE_SESSION_HOURS } from "@/lib/session-policy";

export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: JWT_MAX_AGE_S, updateAge: 0 },
  jwt: { maxAge: JWT_MAX_AGE_S },
  pages: { signIn: "/login", error: "/login" },
  useSecureCookies: (process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
  providers: [
    CredentialsProvider({
      name: "Titrate",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        const email = typeof credentials?.email === "string" ? credentials.email : "";
        const password = typeof credentials?.password === "string" ? credentials.password : "";
        const result = await authenticate(email, password);
        if (!result.ok) return null;
        const u = result.user;
        return { id: u.id, email: u.email, name: u.name, role: u.role, clinicId: u.clinicId };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      const nowS = Math.floor(Date.now() / 1000);
      if (user) {
        const u = user as unknown as { id: string; role: string; clinicId: string };
        token.userId = u.id;
        token.role = u.role;
        token.clinicId = u.clinicId;
        token.authTime = nowS;
      }
      // The cookie's lastSeenAt is what idle sign-out checks; this callback also runs on
      // server reads of the session, so keep the value from the cookie beside the new one.
      // Only the browser's activity ping (app/_components/idle-sign-out.tsx, on user
      // interaction) and sign-in write the refreshed cookie back.
      token.cookieSeenAt = (token.lastSeenAt as number | undefined) ?? nowS;
      token.lastSeenAt = nowS;
      return token;
    },
    async session({ session, token }) {
      return {
        ...session,
        user: {
          ...session.user,
          id: token.userId as string,
          role: token.role as string,
          clinicId: token.clinicId as string,
        },
        authTime: token.authTime as number,
        lastSeenAt: token.cookieSeenAt as number,
      };
    },
  },
};
