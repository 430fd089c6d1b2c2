/**
 * `npm run demo`: the app with demo data at http://localhost:3000, from a bare machine.
 * - DATABASE_URL set: migrates and seeds that PostgreSQL database.
 * - DATABASE_URL unset: starts an embedded PostgreSQL (PGlite over the wire protocol, data
 *   kept in .data/pglite) and uses it.
 * Then builds and serves the app. Ctrl-C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const root = path.resolve(__dirname, "..");
// TITRATE_DATA_DIR lets the test suite run the demo on a throwaway embedded database.
const dataDir = process.env.TITRATE_DATA_DIR ? path.resolve(process.env.TITRATE_DATA_DIR) : path.join(root, ".data");
const PORT = Number(process.env.PORT ?? 3000);
const EMBEDDED_PORT = Number(process.env.EMBEDDED_DB_PORT ?? 5433);
const children: ChildProcess[] = [];

function log(msg: string) {
  console.log(`\x1b[36m[titrate]\x1b[0m ${msg}`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) {
    log(`${cmd} ${args.join(" ")} failed (exit ${r.status}).`);
    shutdown(1);
  }
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => { sock.end(); resolve(); });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listening on ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 250);
      });
    };
    attempt();
  });
}

function shutdown(code: number): never {
  for (const c of children) if (!c.killed) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

  if (!env.NEXTAUTH_SECRET) {
    const secretFile = path.join(dataDir, "nextauth-secret");
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
    env.NEXTAUTH_SECRET = readFileSync(secretFile, "utf8").trim();
  }
  env.NEXTAUTH_URL ??= `http://localhost:${PORT}`;
  // The bedside monitor listener (HL7 v2 over MLLP): the seeded monitors DEMO-MON-1..6 send
  // here (README "Bedside monitors"); HL7_MLLP_PORT="" turns it off.
  env.HL7_MLLP_PORT ??= "2575";

  if (!env.DATABASE_URL) {
    log(`No DATABASE_URL: starting the embedded PostgreSQL (PGlite) on port ${EMBEDDED_PORT}, data in .data/pglite`);
    const server = spawn(
      path.join(root, "node_modules/.bin/pglite-server"),
      [`--db=${path.join(dataDir, "pglite")}`, `--port=${EMBEDDED_PORT}`, "--host=127.0.0.1", "--max-connections=10"],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
    );
    children.push(server);
    server.on("exit", (code) => { log(`embedded database stopped (exit ${code})`); shutdown(code ?? 1); });
    await waitForPort(EMBEDDED_PORT, 60_000);
    env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres?sslmode=disable`;
    // PGlite serves one connection at a time to an interactive transaction (STACK-NOTES).
    env.TITRATE_EMBEDDED_DB = "1";
  } else {
    log("Using DATABASE_URL.");
  }

  log("Applying migrations…");
  run("npx", ["prisma", "migrate", "deploy"], env);
  log("Seeding demo data (skipped when present)…");
  run("npx", ["tsx", "--conditions=react-server", "prisma/seed.ts"], env);
  if (process.argv.includes("--no-build") && existsSync(path.join(root, ".next/BUILD_ID"))) {
    log("Skipping the build (--no-build).");
  } else {
    log("Building the app…");
    run("npx", ["next", "build"], env);
  }
  log(`Serving on http://localhost:${PORT}  (demo logins: nurse@demo.clinic / physician@demo.clinic / admin@demo.clinic, password titrate-demo)`);
  const app = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(PORT)], { cwd: root, env, stdio: "inherit" });
  children.push(app);
  app.on("exit", (code) => shutdown(code ?? 0));
}

main().catch((err) => {
  console.error(err);
  shutdown(1);
});
