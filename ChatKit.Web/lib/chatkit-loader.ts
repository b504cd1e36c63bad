/**
 * Loads OpenAI's ChatKit web component from its CDN. Resolves true once `<openai-chatkit>` is defined, false when the
 * script fails (offline, blocked: onerror fires within ~0.1 s) or does not define the element within timeoutMs.
 */
export function loadChatKitScript(src: string, timeoutMs: number, doc: Document = document): Promise<boolean> {
  const registry = doc.defaultView?.customElements;
  if (!registry) return Promise.resolve(false);
  if (registry.get("openai-chatkit")) return Promise.resolve(true);

  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    registry.whenDefined("openai-chatkit").then(() => finish(true));

    let script = doc.querySelector<HTMLScriptElement>(`script[data-chatkit-loader]`);
    if (script?.dataset.failed === "true") return finish(false);
    if (!script) {
      script = doc.createElement("script");
      script.src = src;
      script.async = true;
      script.dataset.chatkitLoader = "true";
      doc.head.appendChild(script);
    }
    script.addEventListener("error", () => {
      script!.dataset.failed = "true";
      finish(false);
    });
  });
}
