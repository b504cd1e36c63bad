"use client";

import { ChatKit, useChatKit } from "@openai/chatkit-react";
import { buildChatKitOptions, searchTaskEntities } from "@/lib/chatkit-options";

interface Props {
  domainKey: string;
  fetch: typeof fetch;
  initialThread: string | null;
  onThreadChange: (threadId: string | null) => void;
  onResponseEnd: () => void;
  onError: (error: Error) => void;
}

/** OpenAI's ChatKit UI against our API (through the same-origin proxy). */
export function ChatKitPanel(props: Props) {
  const origin = window.location.origin;
  const { control } = useChatKit(
    buildChatKitOptions({
      apiUrl: `${origin}/api/chatkit`,
      domainKey: props.domainKey,
      fetch: props.fetch,
      initialThread: props.initialThread,
      searchEntities: (query) => searchTaskEntities(props.fetch, origin, query),
      onThreadChange: props.onThreadChange,
      onResponseEnd: props.onResponseEnd,
      onError: props.onError,
    }),
  );
  return <ChatKit control={control} className="chatkit" data-testid="chatkit" />;
}
