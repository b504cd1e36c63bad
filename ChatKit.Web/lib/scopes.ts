/** What each scope an MCP client can ask for allows, in the words the consent page shows. */
const SCOPE_TEXT: Record<string, string> = {
  "tasks:read": "See your tasks",
  "tasks:write": "Add, rename, complete and delete your tasks",
  offline_access: "Stay connected until you revoke it (refresh tokens)",
  openid: "Know which account you signed in with",
  profile: "See your name",
  email: "See your email address",
};

export function describeScopes(scope: string): { name: string; text: string }[] {
  const names = [...new Set(scope.split(/\s+/).filter(Boolean))];
  return names.map((name) => ({ name, text: SCOPE_TEXT[name] ?? name }));
}
