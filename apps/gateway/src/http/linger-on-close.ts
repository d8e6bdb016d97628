/**
 * Closing a connection whose client is still sending a body the gateway refused (a
 * manifest over the cap, an upload that failed midway): node destroys the socket the
 * moment the `Connection: close` response is written, the kernel answers the bytes still
 * arriving with a reset, and the client often loses the response it had not yet read.
 * Go's server and nginx linger instead; so does this: once the response is written, the
 * gateway's side is shut (the client sees the response end), what still arrives is read
 * and dropped, and the socket is destroyed when the client closes or after `lingerMs`.
 */
import type { Socket } from 'node:net';

export function lingerOnClose(socket: Socket, lingerMs: number): void {
  // node calls destroySoon on a socket whose response said `Connection: close`
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
