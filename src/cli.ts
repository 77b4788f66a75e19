#!/usr/bin/env node
/**
 * `langchain-dreamfactory sandbox [--port N] [--database URL]` — starts the DreamFactory-compatible sandbox and
 * prints its URL, API key and demo logins; runs until SIGINT/SIGTERM.
 * `langchain-dreamfactory demo` — see the marked section below.
 * Compiled to ESM and CommonJS: no `import.meta`, no top-level await.
 */
import type { Sandbox } from "./testing/index.js";

/** Parsed command line. */
interface CliArgs {
  command: string | undefined;
  port: number;
  database: string | undefined;
  help: boolean;
}

const USAGE = `Usage:
  langchain-dreamfactory sandbox [--port N] [--database URL]
  langchain-dreamfactory demo [--port N] [--database URL]

  --port N          port on 127.0.0.1 (default 0 = any free port)
  --database URL    PostgreSQL URL (default: embedded PGlite, or $DATABASE_URL when set)
`;

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: undefined, port: 0, database: process.env.DATABASE_URL || undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new TypeError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--port": {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError("--port must be an integer between 0 and 65535");
        args.port = port;
        break;
      }
      case "--database":
        args.database = value();
        break;
      case "-h":
      case "--help":
        args.help = true;
        break;
      default:
        if (flag.startsWith("-")) throw new TypeError(`Unknown option: ${flag}`);
        if (args.command !== undefined) throw new TypeError(`Unexpected argument: ${flag}`);
        args.command = flag;
    }
  }
  return args;
}

function describe(sb: Sandbox): string {
  const u = sb.users;
  const line = (name: string, l: { email: string; password: string }, what: string) =>
    `  ${name.padEnd(6)} ${l.email.padEnd(20)} ${l.password.padEnd(18)} ${what}`;
  return [
    `DreamFactory sandbox running (${sb.databaseKind})`,
    `  URL:      ${sb.url}/api/v2`,
    `  API key:  ${sb.apiKey}`,
    `  Service:  ${sb.service}`,
    "",
    "Demo logins (POST /api/v2/user/session; the admin uses /api/v2/system/admin/session):",
    line("alice", u.alice, "sales_rep: own customers and orders"),
    line("bob", u.bob, "sales_rep: own customers and orders"),
    line("carol", u.carol, "sales_manager: reads everything, writes orders"),
    line("dave", u.dave, "support: customers (masked e-mails), products, kb; no orders"),
    line("admin", u.admin, "sys-admin: everything, GET /api/v2/system/audit"),
    `  + ${sb.extraUsers.length} extra sales reps rep006@example.com … (password <handle>-demo-pass)`,
    "",
    "Press Ctrl+C to stop.",
  ].join("\n");
}

async function runSandbox(args: CliArgs): Promise<void> {
  // Loaded on demand so that --help and argument errors answer without loading the database engine.
  const { startSandbox } = await import("./testing/index.js");
  const sb = await startSandbox({ port: args.port, ...(args.database === undefined ? {} : { database: args.database }) });
  process.stdout.write(`${describe(sb)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sb.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

// ---- demo command ---------------------------------------------------------------------------------------------
// `demo`: the same question through one shared createAgent agent for alice, bob, carol and dave (src/demo/).
// Uses the scripted tool-calling model unless DEMO_MODEL names a model for langchain's initChatModel.
async function runDemo(args: CliArgs): Promise<void> {
  // Loaded on demand (LangChain is heavy) so that `sandbox` and --help start quickly.
  const { runDemo: runDemoReport } = await import("./demo/run-demo.js");
  const result = await runDemoReport({
    port: args.port,
    ...(args.database === undefined ? {} : { database: args.database }),
    ...(process.env.DEMO_MODEL ? { model: process.env.DEMO_MODEL } : {}),
  });
  process.exit(result.auditMismatches === 0 ? 0 : 1);
}
// ---- end of demo command --------------------------------------------------------------------------------------

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help || args.command === undefined) {
    process.stdout.write(USAGE);
    return args.help ? 0 : 2;
  }
  switch (args.command) {
    case "sandbox":
      await runSandbox(args);
      return -1;
    case "demo":
      await runDemo(args);
      return -1;
    default:
      process.stderr.write(`Unknown command: ${args.command}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`langchain-dreamfactory: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
