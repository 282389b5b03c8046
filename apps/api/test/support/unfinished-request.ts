import { connect, type Socket } from "node:net";
import { sleep } from "./tokens";

/**
 * A connection whose request is still arriving: headers without their final blank line, so the
 * server can neither answer it nor count it idle. A drain must destroy it.
 */
export async function openUnfinishedRequest(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\n");
  await sleep(100);
  return socket;
}
