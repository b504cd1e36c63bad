/** What the user reads when the API answers with an HTTP error. */
export function friendlyError(status: number): string {
  if (status === 0) return "The server cannot be reached. Check your connection and try again.";
  if (status === 400) return "That request was not understood. Please rephrase it and try again.";
  if (status === 401) return "Your session has expired. Please sign in again.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "That conversation or task no longer exists.";
  if (status === 408 || status === 504) return "The assistant took too long to answer. Please try again.";
  if (status === 413) return "That file or message is too large.";
  if (status === 415) return "That file type is not supported.";
  if (status === 429) return "You are sending messages too quickly. Wait a moment and try again.";
  if (status === 502 || status === 503) return "The assistant is unavailable right now. Please try again in a minute.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return `The request failed (HTTP ${status}).`;
}
