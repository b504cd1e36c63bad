import { describe, expect, it } from "vitest";
import { toPostgresUrl } from "@/lib/pg-url";

describe("the Aspire connection string for pg", () => {
  it("becomes a postgres:// URL", () => {
    expect(toPostgresUrl("Host=localhost;Port=54321;Username=postgres;Password=s3cr3t;Database=authdb")).toBe(
      "postgres://postgres:s3cr3t@localhost:54321/authdb",
    );
  });

  it("escapes special characters and understands aliases, quotes and SSL mode", () => {
    expect(toPostgresUrl("Server=db.example.com; User ID=me@x; Pwd='p;a=ss''w'; Database=auth db; SSL Mode=Require")).toBe(
      "postgres://me%40x:p%3Ba%3Dss'w@db.example.com:5432/auth%20db?sslmode=require",
    );
  });

  it("leaves a URL as it is", () => {
    expect(toPostgresUrl("postgresql://u:p@h:1/d")).toBe("postgresql://u:p@h:1/d");
  });
});
