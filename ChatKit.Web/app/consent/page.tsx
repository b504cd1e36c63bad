import { ConsentForm } from "@/components/ConsentForm";

/** Better Auth's OAuth provider sends a signed-in person here before an MCP client gets access to their tasks. */
export default function ConsentPage() {
  return <ConsentForm />;
}
