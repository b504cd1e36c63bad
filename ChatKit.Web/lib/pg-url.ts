/**
 * Turns the Npgsql-style connection string Aspire hands out ("Host=…;Port=…;Username=…;Password=…;Database=…")
 * into the postgres:// URL that `pg` understands (it misreads the key=value form). URLs pass through unchanged.
 */
export function toPostgresUrl(connectionString: string): string {
  const trimmed = connectionString.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return trimmed;

  const values = new Map<string, string>();
  for (const [key, value] of parsePairs(trimmed)) {
    values.set(key.replace(/\s+/g, "").toLowerCase(), value);
  }
  const pick = (...keys: string[]) => keys.map((k) => values.get(k)).find((v) => v !== undefined && v !== "");

  const host = pick("host", "server", "datasource") ?? "localhost";
  const port = pick("port") ?? "5432";
  const user = pick("username", "userid", "user", "uid");
  const password = pick("password", "pwd");
  const database = pick("database", "initialcatalog", "db");
  const sslMode = pick("sslmode");

  const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}@` : "";
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const query = sslMode ? `?sslmode=${encodeURIComponent(sslMode.toLowerCase())}` : "";
  return `postgres://${auth}${hostPart}:${port}/${database ? encodeURIComponent(database) : ""}${query}`;
}

/** key=value pairs separated by ';'; a value may be quoted with ' or " (doubled quotes escape). */
function* parsePairs(input: string): Generator<[string, string]> {
  let i = 0;
  while (i < input.length) {
    const eq = input.indexOf("=", i);
    if (eq < 0) break;
    const key = input.slice(i, eq).replace(/^[\s;]+/, "").trim();
    let j = eq + 1;
    while (input[j] === " ") j++;
    let value = "";
    const quote = input[j];
    if (quote === "'" || quote === '"') {
      j++;
      while (j < input.length) {
        if (input[j] === quote) {
          if (input[j + 1] === quote) { value += quote; j += 2; continue; }
          j++;
          break;
        }
        value += input[j++];
      }
      const semi = input.indexOf(";", j);
      i = semi < 0 ? input.length : semi + 1;
    } else {
      const semi = input.indexOf(";", j);
      value = input.slice(j, semi < 0 ? input.length : semi).trim();
      i = semi < 0 ? input.length : semi + 1;
    }
    if (key) yield [key, value];
  }
}
