import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import * as testing from "../src/testing/index.js";

// A new public name must be a deliberate change: update this list (and the README) together with src/index.ts.
const PUBLIC_VALUES = [
  "AggregateTool",
  "CreateRecordsTool",
  "DeleteRecordsTool",
  "DescribeTableTool",
  "DreamFactoryAuthorizedRetriever",
  "DreamFactoryClient",
  "DreamFactoryCredential",
  "DreamFactoryError",
  "DreamFactoryRetriever",
  "DreamFactorySession",
  "DreamFactoryToolkit",
  "GetRecordsTool",
  "ListTablesTool",
  "QueryRecordsTool",
  "UpdateRecordsTool",
  "compileWhere",
  "dreamfactoryMiddleware",
  "isDreamFactoryCredential",
  "isDreamFactoryError",
  "isIdentityError",
  "resolveCredential",
  "validateFilter",
  "withDreamFactoryUser",
  "writeApprovalInterruptOn",
];

describe("package exports", () => {
  it("exports exactly the documented runtime names from the main entry", () => {
    expect(Object.keys(api).sort()).toEqual([...PUBLIC_VALUES].sort());
  });

  it("exports only startSandbox from langchain-dreamfactory/testing", () => {
    expect(Object.keys(testing)).toEqual(["startSandbox"]);
  });

  it("does not expose the internal token accessor", () => {
    expect(Object.keys(api)).not.toContain("revealToken");
    expect(Object.keys(api)).not.toContain("tokenHash");
  });
});
