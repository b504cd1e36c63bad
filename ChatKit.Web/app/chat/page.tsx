import { redirect } from "next/navigation";
import { ChatApp } from "@/components/ChatApp";
import { currentUser } from "@/lib/session";
import { chatPageConfig } from "@/lib/server-config";

// Configuration is read per request on the server (domain key, chat UI mode), never frozen at build time.
export const dynamic = "force-dynamic";

export default async function ChatPage() {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return <ChatApp config={chatPageConfig()} user={{ id: user.id, name: user.name, email: user.email }} />;
}
