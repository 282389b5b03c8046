import { describe, expect, it } from "vitest";
import { fakeJwt } from "@/test/fake-api";
import { readJwtExpiry } from "./jwt";

describe("readJwtExpiry", () => {
  it("reads exp from a JWT payload", () => {
    expect(readJwtExpiry(fakeJwt(1_900_000_000))).toBe(1_900_000_000);
  });
  it("returns null for something that is not a JWT", () => {
    expect(readJwtExpiry("not-a-jwt")).toBeNull();
    expect(readJwtExpiry("a.%%%.c")).toBeNull();
  });
});
