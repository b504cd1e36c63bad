import { describe, expect, it } from "vitest";
import { apiPathFor } from "../../lib/proxy";
import { describeScopes } from "../../lib/scopes";

describe("the MCP pass-through", () => {
  it("forwards /mcp and the protected resource metadata to the same paths on the API", () => {
    expect(apiPathFor("/mcp", [])).toBe("/mcp");
    expect(apiPathFor("/.well-known/oauth-protected-resource", [])).toBe("/.well-known/oauth-protected-resource");
    expect(apiPathFor("/.well-known/oauth-protected-resource", ["mcp"])).toBe("/.well-known/oauth-protected-resource/mcp");
  });

  it("refuses anything but plain names after the metadata prefix", () => {
    expect(apiPathFor("/.well-known/oauth-protected-resource", [".."])).toBeNull();
    expect(apiPathFor("/.well-known/oauth-protected-resource", ["..", "api", "tasks"])).toBeNull();
    expect(apiPathFor("/mcp", ["%2e%2e"])).toBeNull();
  });
});

describe("the consent page's scope descriptions", () => {
  it("says in words what each task scope allows, once each", () => {
    expect(describeScopes("tasks:read  tasks:write tasks:read offline_access")).toEqual([
      { name: "tasks:read", text: "See your tasks" },
      { name: "tasks:write", text: "Add, rename, complete and delete your tasks" },
      { name: "offline_access", text: "Stay connected until you revoke it (refresh tokens)" },
    ]);
  });

  it("shows an unknown scope by its name", () => {
    expect(describeScopes("admin")).toEqual([{ name: "admin", text: "admin" }]);
  });
});
