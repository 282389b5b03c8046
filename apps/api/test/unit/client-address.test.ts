import { describe, expect, it } from "vitest";
import { parseAddress, resolveClientAddress } from "../../src/http/client-address";

const SOCKET = "192.0.2.10";
const resolve = (
  forwardedFor: string | undefined,
  trustProxy: number,
  socket: string | undefined = SOCKET,
) => resolveClientAddress({ socket, forwardedFor, trustProxy });

describe("parseAddress", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(parseAddress("203.0.113.7")).toEqual({ ip: "203.0.113.7", key: "203.0.113.7" });
    expect(parseAddress(" 203.0.113.7 ")).toEqual({ ip: "203.0.113.7", key: "203.0.113.7" });
  });

  it("keys an IPv6 address by its /64, in one canonical spelling", () => {
    const expected = { ip: "2001:db8:1:2::abcd", key: "2001:db8:1:2::/64" };
    expect(parseAddress("2001:db8:1:2::abcd")).toEqual(expected);
    expect(parseAddress("2001:0DB8:0001:0002:0000:0000:0000:ABCD")).toEqual(expected);
    expect(parseAddress("2001:db8:1:2:ffff:ffff:ffff:ffff")?.key).toBe("2001:db8:1:2::/64");
    expect(parseAddress("2001:db8:1:3::1")?.key).toBe("2001:db8:1:3::/64");
    expect(parseAddress("::1")).toEqual({ ip: "::1", key: "0:0:0:0::/64" });
    expect(parseAddress("fe80::1%eth0")).toEqual({ ip: "fe80::1", key: "fe80:0:0:0::/64" });
  });

  it("reads an IPv4-mapped IPv6 address as IPv4", () => {
    expect(parseAddress("::ffff:203.0.113.7")).toEqual({ ip: "203.0.113.7", key: "203.0.113.7" });
    expect(parseAddress("::FFFF:cb00:7107")).toEqual({ ip: "203.0.113.7", key: "203.0.113.7" });
  });

  it("drops the port a proxy may add", () => {
    expect(parseAddress("203.0.113.7:51234")?.ip).toBe("203.0.113.7");
    expect(parseAddress("[2001:db8::1]:443")?.ip).toBe("2001:db8::1");
    expect(parseAddress("[2001:db8::1]")?.ip).toBe("2001:db8::1");
  });

  it("refuses what is not an IP address", () => {
    for (const value of [
      "",
      "unknown",
      "localhost",
      "203.0.113",
      "203.0.113.256",
      "203.0.113.07",
      "2001:db8::1::2",
      "2001:db8:1:2:3:4:5:6:7",
      "[2001:db8::1",
      "203.0.113.7:port",
      "1.2.3.4, 5.6.7.8",
      "_hidden",
    ]) {
      expect(parseAddress(value), value).toBeUndefined();
    }
  });
});

describe("resolveClientAddress", () => {
  it("uses the socket and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(resolve("198.51.100.1", 0).ip).toBe(SOCKET);
    expect(resolve(undefined, 0).ip).toBe(SOCKET);
  });

  it("takes the entry N from the right with N trusted proxies", () => {
    const chain = "198.51.100.1, 198.51.100.2, 198.51.100.3";
    expect(resolve(chain, 1).ip).toBe("198.51.100.3");
    expect(resolve(chain, 2).ip).toBe("198.51.100.2");
    expect(resolve(chain, 3).ip).toBe("198.51.100.1");
  });

  it("ignores what the client wrote left of the trusted entry", () => {
    expect(resolve("6.6.6.6, 198.51.100.3", 1).ip).toBe("198.51.100.3");
    expect(resolve("garbage, 6.6.6.6,198.51.100.3", 1).ip).toBe("198.51.100.3");
  });

  it("takes the leftmost entry when there are fewer entries than trusted hops", () => {
    expect(resolve("198.51.100.1, 198.51.100.2", 5).ip).toBe("198.51.100.1");
    expect(resolve("198.51.100.1", 2).ip).toBe("198.51.100.1");
  });

  it("falls back to the socket when the trusted entry is missing or malformed", () => {
    expect(resolve(undefined, 1).ip).toBe(SOCKET);
    expect(resolve("", 1).ip).toBe(SOCKET);
    expect(resolve("198.51.100.1, not-an-address", 1).ip).toBe(SOCKET);
    expect(resolve("198.51.100.1,", 1).ip).toBe(SOCKET);
  });

  it("keys IPv6 clients by /64 whether they come from the socket or a proxy", () => {
    expect(resolve(undefined, 0, "2001:db8:5:6::99").key).toBe("2001:db8:5:6::/64");
    expect(resolve("2001:db8:5:6::99", 1).key).toBe("2001:db8:5:6::/64");
    expect(resolve(undefined, 0, "::ffff:192.0.2.10").key).toBe(SOCKET);
  });

  it("answers one shared unknown key when there is no socket and no trusted entry", () => {
    const noSocket = (forwardedFor: string | undefined, trustProxy: number) =>
      resolveClientAddress({ socket: undefined, forwardedFor, trustProxy });
    const unknown = { ip: undefined, key: "unknown" };
    expect(noSocket(undefined, 0)).toEqual(unknown);
    expect(noSocket("198.51.100.1", 0)).toEqual(unknown);
    expect(noSocket("junk", 1)).toEqual(unknown);
    expect(noSocket("198.51.100.1", 1).ip).toBe("198.51.100.1");
  });
});
