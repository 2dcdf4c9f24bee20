// A live client that reads slower than events arrive: its unsent bytes (the socket's bufferedAmount) would grow
// without bound in this process, so past a limit it is disconnected with a close reason saying why (the client can
// reconnect and catch up from the REST listing) instead.
export const CLOSE_TOO_SLOW = 1008; // policy violation

export interface SendingSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

const OPEN = 1; // WebSocket.OPEN

/** Sends `messages` unless the socket is closing or more than `limitBytes` are unsent (then closes it); false when not sent. */
export function sendBounded(socket: SendingSocket, messages: readonly string[], limitBytes: number): boolean {
  if (socket.readyState !== OPEN) return false;
  if (socket.bufferedAmount > limitBytes) {
    socket.close(CLOSE_TOO_SLOW, `too slow: more than ${limitBytes} bytes unsent`);
    return false;
  }
  for (const m of messages) socket.send(m);
  return true;
}
