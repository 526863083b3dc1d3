/**
 * What a `set …` runtime command answered. HAProxy reports success with an empty reply (one
 * newline) and failure with a message ("No such server.", "Require 'backend/server'.", …) while
 * the connection itself succeeds, so the reply text is the only signal.
 */
export type RuntimeReply = { readonly ok: true } | { readonly ok: false; readonly message: string };

export function parseSetReply(reply: string): RuntimeReply {
  const message = reply.trim();
  return message === '' ? { ok: true } : { ok: false, message };
}
