import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { DreamFactoryClient } from "../src/client/index.js";

const readme = readFileSync("README.md", "utf8");

describe("README", () => {
  it("starts the Quick start with exactly the two set-up commands", () => {
    const quick = readme.split("## Quick start")[1] ?? "";
    const block = /```sh\n([\s\S]*?)```/.exec(quick)?.[1] ?? "";
    expect(block.trim().split("\n")).toEqual(["npm ci && npm run demo", "npm test"]);
    expect(readme.indexOf("## Quick start")).toBeLessThan(readme.indexOf("## How identity flows"));
  });

  it("names every tool the toolkit can create", () => {
    const client = new DreamFactoryClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k".repeat(64) });
    const tools = new DreamFactoryToolkit({ client, service: "db", allowWrites: true, writes: { approve: () => false } }).getTools();
    expect(tools.length).toBe(8);
    for (const t of tools) expect(readme, t.name).toContain(`\`${t.name}\``);
  });

  it("mentions every public export", () => {
    for (const name of Object.keys(api)) expect(readme, name).toContain(name);
  });

  it("documents every error code the package can raise", () => {
    const codes = readFileSync("src/errors/dreamfactory-error-code.ts", "utf8").match(/"([a-z_]+)"/g) ?? [];
    expect(codes.length).toBeGreaterThan(15);
    for (const c of codes) expect(readme, c).toContain(`\`${c.slice(1, -1)}\``);
  });
});
