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

/**
 * Whether the reply to `commands` runtime commands sent as one `;`-chained line is complete.
 * HAProxy ends every command's output with an empty line (an empty output is that line alone),
 * and the outputs ferry asks for (set, show stat, show servers state) have no empty line inside.
 * Knowing this lets a caller stop at the last terminator instead of waiting for the socket's EOF,
 * which sshd may hold back ~40 ms (Nagle against the client's delayed ACK) on a forwarded stream.
 */
export function runtimeReplyComplete(text: string, commands: number): boolean {
  let ends = 0;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    if (i === lineStart) ends += 1;
    lineStart = i + 1;
  }
  return ends >= commands;
}
