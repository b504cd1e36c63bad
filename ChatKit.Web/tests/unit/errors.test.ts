import { describe, expect, it } from "vitest";
import { friendlyError } from "@/lib/errors";

describe("friendly error messages", () => {
  it.each([
    [401, /sign in again/],
    [403, /not allowed/],
    [404, /no longer exists/],
    [413, /too large/],
    [429, /too quickly/],
    [500, /went wrong/],
    [503, /unavailable/],
    [0, /cannot be reached/],
  ])("HTTP %i reads %s", (status, text) => {
    expect(friendlyError(status)).toMatch(text);
  });
});
