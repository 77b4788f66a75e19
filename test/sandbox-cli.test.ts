import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const CLI = join(ROOT, "src", "cli.ts");

const children: ChildProcess[] = [];

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // `node --import tsx` rather than the tsx binary: the binary relays signals with a 30 ms wait and exits 143 on
  // a busy machine, which would hide the CLI's own exit code.
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(output: () => string, text: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!output().includes(text)) {
    if (Date.now() > end) throw new Error(`CLI did not print "${text}" within ${timeoutMs} ms; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

describe("langchain-dreamfactory sandbox (CLI)", () => {
  it("starts within a few seconds, prints URL, API key and demo logins, serves, and stops on SIGTERM", async () => {
    const started = performance.now();
    const cli = run(["sandbox", "--port", "0"]);
    await waitFor(cli.output, "Press Ctrl+C", 30_000);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(20);
    const text = cli.output();
    const url = /URL:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v2/.exec(text)?.[1];
    const key = /API key:\s+([0-9a-f]{64})/.exec(text)?.[1];
    expect(url).toBeDefined();
    expect(key).toBeDefined();
    for (const login of ["alice@example.com", "alice-demo-pass", "bob@example.com", "carol@example.com", "dave@example.com", "admin@example.com"]) {
      expect(text).toContain(login);
    }
    const res = await fetch(`${url}/api/v2/user/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-DreamFactory-API-Key": key as string },
      body: JSON.stringify({ email: "alice@example.com", password: "alice-demo-pass" }),
    });
    expect(res.status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it("--help prints usage; bad arguments exit 2 with a message", async () => {
    const help = run(["--help"]);
    const badPort = run(["sandbox", "--port", "99999"]);
    const unknown = run(["frobnicate"]);
    const missing = run(["sandbox", "--database"]);
    expect(await Promise.all([help.exited, badPort.exited, unknown.exited, missing.exited])).toEqual([0, 2, 2, 2]);
    expect(help.output()).toContain("langchain-dreamfactory sandbox [--port N] [--database URL]");
    expect(badPort.output()).toContain("--port must be an integer between 0 and 65535");
    expect(unknown.output()).toContain("Unknown command: frobnicate");
    expect(missing.output()).toContain("--database needs a value");
  }, 60_000);
});
